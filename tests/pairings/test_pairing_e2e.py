"""Done-when: a pairing driven only through the console and the simulator's handsets."""

import pytest

from conversations_ops.models import Pairing, PairingState
from conversations_ops.services.pairing_preflight import PairingRequest
from conversations_ops.services.pairings import pairing_close, pairing_start

from .conftest import COURIER, COURIER_SMS, CUSTOMER, ROBERT_ALICIA

pytestmark = pytest.mark.slow

INVITE = ("Hello Robert, your food delivery is almost there but Alicia (your rider) needs help finding your door. "
          "Are you willing to chat with them?")
CONNECTED = ("Your customer has agreed to chat over WhatsApp to get this delivery sorted. You're now connected. "
             "Say hello!")
AUTO_REPLY = "Great! Just a moment while we connect you..."


def _start(seeded, courier):
    return pairing_start(request=PairingRequest(
        sender=seeded["sender"], customer=CUSTOMER, courier=courier, invite_template=seeded["invite"].sid,
        invite_variables=ROBERT_ALICIA, connected_template=seeded["connected"].sid,
        sms_sender=seeded["sms_sender"] if not courier.startswith("whatsapp:") else "",
    ))


def _state(pairing) -> str:
    pairing.refresh_from_db()
    return pairing.state


@pytest.mark.parametrize("courier", [COURIER, COURIER_SMS], ids=["whatsapp-courier", "sms-courier"])
def test_invite_reply_connect_talk_close_and_pair_again(seeded, people, courier):
    pairing = _start(seeded, courier)
    people.wait_until(lambda: _state(pairing) == PairingState.AWAITING_CUSTOMER, "the invite")
    assert people.received(CUSTOMER) == [INVITE]
    assert people.received(courier) == []

    people.write(CUSTOMER, "Yes, sure!")
    people.wait_until(lambda: _state(pairing) == PairingState.CONNECTED, "the connection")
    assert people.received(CUSTOMER) == [INVITE, AUTO_REPLY]
    # Twilio relays the reply to everyone else in the conversation: an SMS courier reads it, a
    # WhatsApp courier, who has not opted in yet, does not (WhatsApp refuses it: 63016).
    relayed = [] if courier.startswith("whatsapp:") else ["Yes, sure!"]
    assert people.received(courier) == [*relayed, CONNECTED]

    business_for_courier = seeded["sender"] if courier.startswith("whatsapp:") else seeded["sms_sender"]
    people.write(courier, "Hi! I'm at the gate", to=business_for_courier)
    people.write(CUSTOMER, "Coming down now")
    assert people.received(CUSTOMER)[-1] == "Hi! I'm at the gate"
    assert people.received(courier)[-1] == "Coming down now"

    pairing_close(pairing=pairing)
    people.wait_until(lambda: _state(pairing) == PairingState.CLOSED, "the close")
    assert pairing.conversation.state == "closed" or _state(pairing) == PairingState.CLOSED

    again = _start(seeded, courier)
    people.wait_until(lambda: _state(again) == PairingState.AWAITING_CUSTOMER, "the second invite")
    assert people.received(CUSTOMER)[-1] == INVITE
    assert Pairing.objects.count() == 2
