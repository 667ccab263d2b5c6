"""Staff members as the console makes them: a staff user put in one of the groups of migration 0011."""

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

NO_GROUP = "no group"


def staff_user(role: str, username: str | None = None) -> User:
    """A staff user in the group `role` (or in none, for NO_GROUP)."""
    name = username or role.lower().replace(" ", "_")
    user = User.objects.create_user(name, password="a-long-test-password", is_staff=True)
    if role != NO_GROUP:
        user.groups.add(Group.objects.get(name=role))
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


SUPPORT, OPS, AUDITOR = "Support", "Ops", "Auditor"
ROLES = (SUPPORT, OPS, AUDITOR, NO_GROUP)
READERS = {SUPPORT, OPS, AUDITOR}


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:conversations_ops_{model}_{view}", args=args)
