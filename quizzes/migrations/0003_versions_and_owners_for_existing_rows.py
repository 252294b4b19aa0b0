"""Existing rows: every item gets version 1 (its content as it is now, the only one known), every
attempt item points at it, and banks and quizzes without an owner get one.

Banks and quizzes record their creator in `owner` (the pages and the import set it), so an owner
is missing only for rows made by commands or the admin without a user. They go to the first
superuser (by id), else the first member of the instructors group: someone who can already reach
every page and can share or hand the content on. With no such user they stay without an owner,
which leaves them to superusers.
"""

from django.db import migrations


def item_dict(item) -> dict:
    # The same shape as Item.to_dict(); historical models have no methods.
    return {
        "key": item.key,
        "kind": item.kind,
        "title": item.title,
        "topics": [topic.slug for topic in item.topics.all()],
        "difficulty": item.difficulty,
        "stem": item.stem,
        "explanation": item.explanation,
        "hints": list(item.hints),
        **item.spec,
    }


def default_owner(apps):
    User = apps.get_model("auth", "User")
    return (
        User.objects.filter(is_superuser=True).order_by("pk").first()
        or User.objects.filter(groups__name="instructors").order_by("pk").first()
    )


def forwards(apps, schema_editor):
    Item = apps.get_model("quizzes", "Item")
    ItemVersion = apps.get_model("quizzes", "ItemVersion")
    AttemptItem = apps.get_model("quizzes", "AttemptItem")
    Bank = apps.get_model("quizzes", "Bank")
    Quiz = apps.get_model("quizzes", "Quiz")

    owner = default_owner(apps)
    if owner is not None:
        Bank.objects.filter(owner__isnull=True).update(owner=owner)
        Quiz.objects.filter(owner__isnull=True).update(owner=owner)

    for item in Item.objects.select_related("bank").prefetch_related("topics").iterator(chunk_size=500):
        if ItemVersion.objects.filter(item=item).exists():
            continue
        version = ItemVersion.objects.create(
            item=item, number=1, data=item_dict(item), author=item.bank.owner
        )
        AttemptItem.objects.filter(item=item, version__isnull=True).update(version=version)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0002_item_versions_and_bank_shares"),
        ("accounts", "0001_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
