"""Replacing the courier of a connected pairing: the old courier removed, the new one added, the connected
template sent to them, each a step of the pairing (retry, page); the pre-flight of a new courier; refusals.

The pairing is set up in the mirror as if it had connected; the pushes stay in the outbox and are settled
here by hand as the runner would (the slow test_courier_replace_e2e.py drives them through the simulator)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conversations_ops.models import (
    AddressConfiguration,
    AuditEntry,
    Conversation,
    Message,
    OperationState,
    Pairing,
    PairingState,
    Participant,
    StepKind,
    StepState,
    SyncOperation,
    Template,
)
from conversations_ops.pairings.actions import pairing_retry
from conversations_ops.pairings.courier_replace import pairing_courier_replace
from conversations_ops.pairings.flow import pairing_operation_settled
from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import RemoteParticipantConversation
from tests.helpers.ids import make_sid
from tests.helpers.pairings import COURIER, CUSTOMER
from tests.roles.staff import OPS, client_for, staff_user

SENDER, SMS_SENDER = "whatsapp:+14155238886", "+14155238887"
NEW_COURIER = "whatsapp:+15017122665"
CH = make_sid("CH", 1)


pytestmark = pytest.mark.usefixtures("held_pushes")


@pytest.fixture
def twilio_bindings(monkeypatch):
    """What Twilio's ParticipantConversations answers, per address (the customer: in this pairing)."""
    held = {CUSTOMER: [_held(1, CUSTOMER)]}
    monkeypatch.setattr(
        gateway, "participant_conversation_list", lambda *, address=None, **_: iter(held.get(address, []))
    )
    return held


def _held(sid_n: int, address: str, proxy: str = SENDER) -> RemoteParticipantConversation:
    return RemoteParticipantConversation(
        conversation_sid=make_sid("CH", sid_n),
        conversation_unique_name="elsewhere",
        conversation_friendly_name=None,
        conversation_state="active",
        conversation_attributes="{}",
        conversation_date_created=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        participant_sid=make_sid("MB", 9),
        binding_address=address,
        binding_proxy_address=proxy,
    )


@pytest.fixture
def connected(db):
    sender = AddressConfiguration.objects.create(sid=make_sid("IG"), type="whatsapp", address=SENDER)
    AddressConfiguration.objects.create(sid=make_sid("IG", 2), type="sms", address=SMS_SENDER)
    invite = Template.objects.create(
        sid=make_sid("HX", 1), language="en", approval_status="approved", types={"twilio/text": {"body": "Hello {{1}}"}}
    )
    connected = Template.objects.create(
        sid=make_sid("HX", 2),
        language="en",
        approval_status="approved",
        types={"twilio/text": {"body": "You're now connected with {{1}}. Say hello!"}},
    )
    conversation = Conversation.objects.create(sid=CH, sync_state="synced", unique_name="pairing-x")
    for n, (address, role) in enumerate(((CUSTOMER, "customer"), (COURIER, "courier")), start=1):
        Participant.objects.create(
            conversation=conversation,
            sid=make_sid("MB", n),
            sync_state="synced",
            messaging_binding_type="whatsapp",
            messaging_binding_address=address,
            messaging_binding_proxy_address=SENDER,
            role=role,
        )
    return Pairing.objects.create(
        sender=sender,
        customer_address=CUSTOMER,
        courier_address=COURIER,
        invite_template=invite,
        invite_variables={"1": "Robert"},
        connected_template=connected,
        connected_variables={"1": "Robert"},
        conversation=conversation,
        state=PairingState.CONNECTED,
        connected_at=timezone.now(),
    )


def _pending():
    return list(SyncOperation.objects.filter(state=OperationState.PENDING).order_by("id"))


def _settle(operation, state=OperationState.SUCCEEDED, code=None):
    """What the outbox runner does when Twilio answered: the operation settles, the flow hears of it."""
    operation.state, operation.result_sid = state, make_sid("XX", operation.pk) if state == "succeeded" else ""
    operation.last_error_code, operation.last_error_status = code, 409 if code else None
    operation.save()
    pairing_operation_settled(operation=operation)


def test_the_replacement_is_queued_as_steps_and_connects_the_new_courier(connected, twilio_bindings):
    ops = staff_user(OPS)

    pairing_courier_replace(pairing=connected, courier_address=NEW_COURIER, user=ops)

    connected.refresh_from_db()
    assert connected.state == PairingState.CONNECTING and connected.courier_address == NEW_COURIER
    pushes = _pending()
    assert [op.operation for op in pushes] == ["participant.remove", "participant.add", "message.send"]
    assert pushes[0].payload["sid"] == make_sid("MB", 2)  # the old courier
    added = Participant.objects.get(messaging_binding_address=NEW_COURIER)
    assert (added.messaging_binding_proxy_address, added.role) == (SENDER, "courier")
    message = Message.objects.get(content_sid=make_sid("HX", 2))
    assert message.author == CUSTOMER  # the customer's side: it reaches only the new courier
    kinds = [(s.kind, s.state) for s in connected.steps.order_by("id")]
    assert kinds == [
        (StepKind.COURIER_REPLACE, StepState.NOTE),
        (StepKind.COURIER_REMOVE, StepState.QUEUED),
        (StepKind.COURIER, StepState.QUEUED),
        (StepKind.CONNECTED, StepState.QUEUED),
    ]
    entry = AuditEntry.objects.get(action="pairing.courier_replace")
    assert entry.actor == ops and entry.result_state == "succeeded"

    for operation in pushes:
        _settle(operation)

    connected.refresh_from_db()
    assert connected.state == PairingState.CONNECTED
    assert not connected.steps.filter(state=StepState.QUEUED).exists()


def test_a_failed_step_fails_the_pairing_and_retry_sends_it_again(connected, twilio_bindings):
    pairing_courier_replace(pairing=connected, courier_address=NEW_COURIER)
    remove, add, _message = _pending()
    _settle(remove)

    _settle(add, OperationState.FAILED, code=50416)

    connected.refresh_from_db()
    assert connected.state == PairingState.FAILED and connected.failed_from == PairingState.CONNECTING
    assert "Add the courier failed" in connected.failure

    assert pairing_retry(pairing=connected) == 1
    connected.refresh_from_db()
    assert connected.state == PairingState.CONNECTING
    add.refresh_from_db()
    assert add.state == OperationState.PENDING


def test_an_sms_courier_talks_to_the_sms_sender(connected, twilio_bindings):
    pairing_courier_replace(pairing=connected, courier_address="+15017122666")

    connected.refresh_from_db()
    assert connected.sms_sender == SMS_SENDER
    added = Participant.objects.get(messaging_binding_address="+15017122666")
    assert added.messaging_binding_proxy_address == SMS_SENDER


@pytest.mark.parametrize(
    ("state", "courier", "held", "field", "says"),
    [
        (PairingState.AWAITING_CUSTOMER, NEW_COURIER, False, "__all__", "only a connected pairing's courier"),
        (PairingState.CLOSED, NEW_COURIER, False, "__all__", "is closed"),
        (PairingState.CONNECTED, COURIER, False, "courier", "already the pairing's courier"),
        (PairingState.CONNECTED, "whatsapp:+1501", False, "courier", "E.164"),
        (PairingState.CONNECTED, CUSTOMER, False, "courier", "the customer's"),
        (PairingState.CONNECTED, NEW_COURIER, True, "__all__", "close that conversation first"),
    ],
    ids=["awaiting", "closed", "same-courier", "invalid-number", "the-customer", "pair-held-elsewhere"],
)
def test_refusals_say_why_and_change_nothing(connected, twilio_bindings, state, courier, held, field, says):
    Pairing.objects.filter(pk=connected.pk).update(state=state)
    connected.refresh_from_db()
    if held:
        twilio_bindings[NEW_COURIER] = [_held(7, NEW_COURIER)]

    with pytest.raises(ValidationError) as refused:
        pairing_courier_replace(pairing=connected, courier_address=courier, user=staff_user(OPS))

    assert says in " ".join(refused.value.message_dict[field])
    connected.refresh_from_db()
    assert connected.courier_address == COURIER and connected.state == state
    assert not SyncOperation.objects.exists() and not connected.steps.exists()
    assert AuditEntry.objects.get(action="pairing.courier_replace").result_state == "failed"


def test_the_pairing_page_offers_it_and_the_form_shows_refusals_beside_the_field(connected, twilio_bindings):
    client = client_for(staff_user(OPS))
    page = f"/admin/conversations_ops/pairing/{connected.pk}/"
    form_url = f"{page}replace-courier/"
    assert "Replace the courier" in client.get(f"{page}change/").content.decode()
    shown = client.get(form_url).content.decode()
    assert "now connected with Robert. Say hello!" in shown  # what the new courier reads
    assert "+15017122662" not in shown  # Ops see the current courier masked

    refused = client.post(form_url, {"courier": CUSTOMER}).content.decode()
    assert "errorlist" in refused and "the customer" in refused

    done = client.post(form_url, {"courier": NEW_COURIER})
    assert done.status_code == 302
    connected.refresh_from_db()
    assert connected.courier_address == NEW_COURIER


def test_only_those_who_manage_pairings_may(connected, twilio_bindings):
    auditor = client_for(staff_user("Auditor"))
    url = f"/admin/conversations_ops/pairing/{connected.pk}/replace-courier/"
    assert auditor.get(url).status_code == 403
    assert auditor.post(url, {"courier": NEW_COURIER}).status_code == 403
