"""Done-when (courier replacement), on the live simulator: a connected pairing gets a new courier ->
the new courier's handset receives the connected template, the customer's messages reach the new
courier and no longer the old one."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from conversations_ops.models import Pairing, PairingState, StepKind, StepState
from conversations_ops.pairings.courier_replace import pairing_courier_replace
from conversations_ops.twilio import gateway
from tests.helpers.pairings import COURIER, CUSTOMER, ROBERT_ALICIA

pytestmark = pytest.mark.slow
NEW_COURIER = "whatsapp:+15017122667"
CONNECTED = (
    "Your customer has agreed to chat over WhatsApp to get this delivery sorted. You're now connected. Say hello!"
)


def _state(pairing) -> str:
    pairing.refresh_from_db()
    return pairing.state


def test_the_new_courier_is_connected_and_the_old_one_hears_no_more(seeded, people):
    out = StringIO()
    call_command(
        "pairing",
        "start",
        "--sender",
        seeded["sender"],
        "--customer",
        CUSTOMER,
        "--courier",
        COURIER,
        "--invite-template",
        seeded["invite"].sid,
        "--invite-variables",
        json.dumps(ROBERT_ALICIA),
        "--connected-template",
        seeded["connected"].sid,
        stdout=out,
    )
    pairing = Pairing.objects.get(pk=int(out.getvalue()))
    people.wait_until(lambda: _state(pairing) == PairingState.AWAITING_CUSTOMER, "the invite")
    people.write(CUSTOMER, "Yes, sure!")
    people.wait_until(lambda: _state(pairing) == PairingState.CONNECTED, "the connection")
    people.write(COURIER, "Hi! I'm on my way")  # the old courier's window is open: they would hear the customer
    people.write(CUSTOMER, "Great")
    assert people.received(COURIER)[-1] == "Great"

    pairing_courier_replace(pairing=pairing, courier_address=NEW_COURIER)

    people.wait_until(lambda: _state(pairing) == PairingState.CONNECTED, "the new courier's connection")
    assert people.received(NEW_COURIER) == [CONNECTED]
    on_twilio = {p.binding_address for p in gateway.participant_list(conversation_sid=pairing.conversation.sid)}
    assert on_twilio == {CUSTOMER, NEW_COURIER}
    steps = [(s.kind, s.state) for s in pairing.steps.filter(kind__in=(StepKind.COURIER_REMOVE, StepKind.COURIER))]
    assert steps[-2:] == [(StepKind.COURIER_REMOVE, StepState.DONE), (StepKind.COURIER, StepState.DONE)]

    people.write(NEW_COURIER, "Hello, I took over the delivery")
    assert people.received(CUSTOMER)[-1] == "Hello, I took over the delivery"
    people.write(CUSTOMER, "Thanks, I'm at the door")
    assert people.received(NEW_COURIER)[-1] == "Thanks, I'm at the door"
    assert "Thanks, I'm at the door" not in people.received(COURIER)
