"""Clienteling test people: advisors and managers as the console makes them (groups of migration 0020)."""

from importlib import import_module

from django.contrib.auth.models import Group, Permission, User

from conversations_ops.models import AddressConfiguration, Assignment, ClientelingTeam, TeamMembership
from tests.helpers.ids import make_sid

ADVISORS, MANAGERS = "Advisors", "Advisor managers"


def advisor(username: str, group: str = ADVISORS) -> User:
    user = User.objects.create_user(username, password="a-long-test-password", is_staff=True)
    user.groups.add(_group(group))
    return user


def _group(name: str) -> Group:
    """Migration 0020's group. A live-server (transactional) test's flush removes the groups a migration
    made, not the permissions (post_migrate makes those again): a test after such a flush gets the group
    back with the permissions 0020 gives it, so a command run `--as` the advisor is checked as in production."""
    group, made = Group.objects.get_or_create(name=name)
    if made:
        codenames = import_module("conversations_ops.migrations.0020_clienteling").GROUPS[name]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="conversations_ops", codename__in=codenames)
        )
    return group


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
