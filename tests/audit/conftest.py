"""Audit trail tests: staff users of each group, the live simulator, and a check for full numbers."""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conversations_ops.models import AuditEntry
from tests.conftest import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP
from tests.pairings.conftest import COURIER, CUSTOMER, people, seeded  # noqa: F401  (fixtures)
from tests.simulator.conftest import simulator  # noqa: F401  (the live simulator)

GROUPS = ("Support", "Ops", "Auditor")
# Every number the tests use: none may appear whole in an audit entry.
NUMBERS = {
    n.removeprefix("whatsapp:")
    for n in (BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, COURIER, CUSTOMER)
}


def staff_groups() -> None:
    """The groups migrations 0011 and 0012 make, made again if a live-server test flushed them."""
    if Group.objects.filter(name__in=GROUPS).count() == len(GROUPS):
        return
    from importlib import import_module

    state = MigrationExecutor(connection).loader.project_state(("conversations_ops", "0012_audit_entries")).apps
    import_module("conversations_ops.migrations.0011_staff_groups").create_groups(state, None)
    import_module("conversations_ops.migrations.0012_audit_entries").grant_view(state, None)


@pytest.fixture
def member(db, django_user_model):
    """A staff user in the named group."""

    def make(group: str):
        staff_groups()
        user = django_user_model.objects.create_user(username=group.lower(), password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user(username="olga", password="pw", is_staff=True)


def assert_no_full_numbers() -> None:
    for entry in AuditEntry.objects.all():
        values = [str(getattr(entry, f.attname)) for f in AuditEntry._meta.concrete_fields]
        text = " ".join(values) + json.dumps(entry.detail, ensure_ascii=False)
        leaked = [number for number in NUMBERS if number in text or number.lstrip("+") in text]
        assert not leaked, (entry.action, leaked, text)
