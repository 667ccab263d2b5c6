"""The audit tests' staff groups, the numbers no entry may hold whole, and a pairing request."""

import json

from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conversations_ops.models import AuditEntry
from conversations_ops.pairings.preflight import PairingRequest
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP
from tests.helpers.pairings import COURIER, CUSTOMER, ROBERT_ALICIA

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


def assert_no_full_numbers() -> None:
    for entry in AuditEntry.objects.all():
        values = [str(getattr(entry, f.attname)) for f in AuditEntry._meta.concrete_fields]
        text = " ".join(values) + json.dumps(entry.detail, ensure_ascii=False)
        leaked = [number for number in NUMBERS if number in text or number.lstrip("+") in text]
        assert not leaked, (entry.action, leaked, text)


def pairing_request(seeded, **changes):
    return PairingRequest(
        **{
            "sender": seeded["sender"],
            "customer": CUSTOMER,
            "courier": COURIER,
            "invite_template": seeded["invite"].sid,
            "invite_variables": ROBERT_ALICIA,
            "connected_template": seeded["connected"].sid,
            **changes,
        }
    )
