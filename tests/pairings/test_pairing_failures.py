"""A step that fails on Twilio: shown explained, retried, or abandoned leaving nothing half-made."""

import pytest

from conversations_ops.models import Pairing, PairingState, StepKind, StepState
from conversations_ops.outbox import queue as outbox
from conversations_ops.outbox.runner import sync_push_due
from conversations_ops.pairings.actions import pairing_abandon, pairing_retry, pairing_start
from conversations_ops.pairings.preflight import PairingRequest
from conversations_ops.twilio import gateway
from tests.helpers.pairings import COURIER, CUSTOMER, ROBERT_ALICIA

pytestmark = pytest.mark.slow


@pytest.fixture
def held_pushes(monkeypatch):
    """Pushes wait in the outbox until the test runs them (sync_push_due)."""
    monkeypatch.setattr(outbox, "sync_operation_enqueue", lambda **_: None)


def _start(seeded):
    return pairing_start(
        request=PairingRequest(
            sender=seeded["sender"],
            customer=CUSTOMER,
            courier=COURIER,
            invite_template=seeded["invite"].sid,
            invite_variables=ROBERT_ALICIA,
            connected_template=seeded["connected"].sid,
        )
    )


def _someone_else_pairs_the_customer(seeded) -> str:
    """Another tool opens a conversation with the customer's pair after our pre-flight passed."""
    other = gateway.conversation_create(unique_name="made-elsewhere")
    gateway.participant_create(
        conversation_sid=other.sid, messaging_binding_address=CUSTOMER, messaging_binding_proxy_address=seeded["sender"]
    )
    return other.sid


def test_a_step_that_fails_is_explained_and_retry_goes_on_from_it(seeded, people, held_pushes):
    pairing = _start(seeded)
    other = _someone_else_pairs_the_customer(seeded)
    sync_push_due()
    pairing.refresh_from_db()

    assert pairing.state == PairingState.FAILED and pairing.failed_from == PairingState.STARTING
    failed = pairing.steps.get(kind=StepKind.CUSTOMER)
    assert (failed.state, failed.error_code) == (StepState.FAILED, 50416)
    assert "Close the other conversation" in failed.detail or "close" in failed.detail.lower()
    assert "Add the customer failed" in pairing.failure
    # What came after it was not sent: the invite never reached the customer.
    assert pairing.steps.get(kind=StepKind.INVITE).state == StepState.FAILED
    assert people.received(CUSTOMER) == []

    gateway.conversation_update(sid=other, state="closed")
    assert pairing_retry(pairing=pairing) >= 1
    sync_push_due()
    people.settle()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.AWAITING_CUSTOMER, pairing.failure
    assert len(people.received(CUSTOMER)) == 1
    assert list(pairing.steps.values_list("kind", flat=True)).count(StepKind.RETRY) == 1


def test_abandon_deletes_the_half_made_conversation_on_twilio_and_frees_the_numbers(seeded, people, held_pushes):
    pairing = _start(seeded)
    _someone_else_pairs_the_customer(seeded)
    sync_push_due()
    pairing.refresh_from_db()
    conversation_sid = pairing.conversation.sid
    assert pairing.state == PairingState.FAILED and conversation_sid

    pairing_abandon(pairing=pairing)
    sync_push_due()
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ABANDONED
    with pytest.raises(gateway.GatewayError) as gone:
        gateway.conversation_fetch(sid=conversation_sid)
    assert gone.value.status == 404
    # The courier's pair was taken by the half-made conversation; it is free again.
    held = [c for c in gateway.participant_conversation_list(address=COURIER) if c.conversation_state != "closed"]
    assert held == []
    assert pairing.steps.filter(kind=StepKind.ABANDON).exists()


def test_abandon_is_refused_once_people_talk(seeded, people):
    pairing = _start(seeded)
    people.wait_until(lambda: Pairing.objects.get(pk=pairing.pk).state == PairingState.AWAITING_CUSTOMER, "invite")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="close it instead"):
        pairing_abandon(pairing=pairing)
