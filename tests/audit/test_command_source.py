"""A shell command's actions are recorded as the shell's, by the user named with --as."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from conversations_ops.models import AddressConfiguration, AuditEntry, Conversation, Pairing, PairingState, Template
from tests.audit.helpers import staff_groups
from tests.helpers.ids import make_sid


@pytest.fixture
def connected(db, monkeypatch):
    monkeypatch.setattr("conversations_ops.outbox.queue.sync_operation_enqueue", lambda **kwargs: None)
    invite = Template.objects.create(
        sid=make_sid("HX", 1), language="en", approval_status="approved", types={"twilio/text": {"body": "Hi"}}
    )
    return Pairing.objects.create(
        sender=AddressConfiguration.objects.create(sid=make_sid("IG"), address="whatsapp:+14155238886"),
        customer_address="whatsapp:+15017122661",
        courier_address="whatsapp:+15017122662",
        invite_template=invite,
        connected_template=invite,
        conversation=Conversation.objects.create(sid=make_sid("CH"), sync_state="synced"),
        state=PairingState.CONNECTED,
    )


def test_pairing_close_as_a_user_is_recorded_as_theirs_from_the_shell(connected, staff):
    staff_groups()
    staff.groups.add(Group.objects.get(name="Ops"))
    call_command("pairing", "close", str(connected.pk), "--as", staff.username, stdout=StringIO())

    entries = AuditEntry.objects.filter(source="shell")
    assert entries.exists()
    assert {(e.actor, e.actor_name) for e in entries} == {(staff, staff.username)}
    assert "pairing.close" in {e.action for e in entries}
