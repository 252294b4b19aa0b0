from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import INSTRUCTORS, STUDENTS


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "", instructor: bool = False):
    """Create a user in exactly one role group."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS if instructor else STUDENTS)
    user.groups.add(group)
    return user
