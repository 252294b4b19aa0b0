from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import INSTRUCTORS, STUDENTS


@transaction.atomic
def user_create(*, username: str, password: str | None, email: str = "", instructor: bool = False):
    """Create a user in exactly one role group. `password=None` gives an unusable password: the
    account can only be entered some other way (an LMS launch)."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    user_add_role(user, instructor=instructor)
    return user


def user_add_role(user, *, instructor: bool) -> None:
    """Put the user in the instructors or the students group. An instructor stays one: a student
    role given later never takes that away (nor adds the students group)."""
    if user.groups.filter(name=INSTRUCTORS).exists():
        return
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS if instructor else STUDENTS)
    user.groups.add(group)
