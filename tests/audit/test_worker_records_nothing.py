"""What Twilio's webhooks and the workflows do on their own is not a staff action: nothing is recorded."""

import pytest

from conversations_ops.models import AuditEntry, Pairing, PairingState, WebhookEvent
from conversations_ops.outbox.runner import sync_push_due
from conversations_ops.pairings.actions import pairing_start
from simulator.management.commands.simulator_seed import BUSINESS_WHATSAPP
from tests.audit.helpers import assert_no_full_numbers, pairing_request
from tests.helpers.pairings import CUSTOMER

pytestmark = pytest.mark.slow


def test_the_customer_s_reply_and_the_pushes_it_triggers_add_no_entry(seeded, people, staff):
    pairing = pairing_start(request=pairing_request(seeded), user=staff)
    people.settle()
    staff_entries = set(AuditEntry.objects.values_list("pk", flat=True))
    assert len(staff_entries) == 6  # pairing.start and its five pushes

    people.write(CUSTOMER, "Yes please", to=BUSINESS_WHATSAPP)  # webhooks -> inbox -> the flow connects the courier
    people.wait_until(lambda: Pairing.objects.get(pk=pairing.pk).state == PairingState.CONNECTED, "connected")
    sync_push_due()  # run from code, not a shell: not recorded either

    assert WebhookEvent.objects.exists()
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == staff_entries
    assert set(AuditEntry.objects.values_list("result_state", flat=True)) == {"succeeded"}
    assert_no_full_numbers()
