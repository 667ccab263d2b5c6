"""Clienteling test people: advisors and managers as the console makes them (groups of migration 0020)."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, User

from conversations_ops.models import AddressConfiguration, Assignment, ClientelingTeam, TeamMembership
from tests.helpers.ids import make_sid

ADVISORS, MANAGERS = "Advisors", "Advisor managers"


def advisor(username: str, group: str = ADVISORS, password: str = "a-long-test-password") -> User:
    user = User.objects.create_user(username, password=password, is_staff=True)
    # A live-server test's flush removes migration 0020's groups and their permissions: made again,
    # as the migration makes them (the inbox and `clienteling show --as` check them).
    if not Group.objects.filter(name=group, permissions__isnull=False).exists():
        import_module("conversations_ops.migrations.0020_clienteling").create_groups(apps, None)
    user.groups.add(Group.objects.get(name=group))
    return user


def sender(address: str) -> AddressConfiguration:
    kind = "whatsapp" if address.startswith("whatsapp:") else "sms"
    n = AddressConfiguration.objects.count() + 1  # several senders in one test: their SIDs apart
    return AddressConfiguration.objects.create(sid=make_sid("IG", n), address=address, type=kind, sync_state="synced")


def team(name: str, *, senders=(), members=(), managers=(), assignment=Assignment.QUEUE) -> ClientelingTeam:
    row = ClientelingTeam.objects.create(name=name, assignment=assignment)
    row.senders.add(*senders)
    row.managers.add(*managers)
    for member in members:
        TeamMembership.objects.create(team=row, advisor=member)
    return row
