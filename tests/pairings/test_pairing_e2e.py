"""Done-when: a pairing driven only through the console (its admin pages, or its shell
command) and the simulator's handsets: invite, reply, connection, both ways, close, again."""

import pytest
from django.urls import reverse

from conversations_ops.models import Pairing, PairingState
from tests.helpers.pairings import COURIER, COURIER_SMS, CUSTOMER, ROBERT_ALICIA, ShellConsole

pytestmark = pytest.mark.slow

INVITE = (
    "Hello Robert, your food delivery is almost there but Alicia (your rider) needs help finding your door. "
    "Are you willing to chat with them?"
)
CONNECTED = (
    "Your customer has agreed to chat over WhatsApp to get this delivery sorted. You're now connected. Say hello!"
)
AUTO_REPLY = "Great! Just a moment while we connect you..."


class AdminConsole:
    """Ops staff in the admin: the Start pairing page (check, then confirm) and the Close button."""

    start_url = reverse("admin:conversations_ops_pairing_start")

    def __init__(self, client):
        self.client = client

    def start(self, seeded, courier) -> Pairing:
        form = {
            "sender": seeded["sender"],
            "customer": CUSTOMER,
            "courier": courier,
            "invite_template": seeded["invite"].sid,
            "invite_var_1": ROBERT_ALICIA["1"],
            "invite_var_2": ROBERT_ALICIA["2"],
            "connected_template": seeded["connected"].sid,
            "auto_reply": AUTO_REPLY,
            "sms_sender": "",
            "reply_timeout_minutes": "30",
        }
        checked = self.client.post(self.start_url, {**form, "action": "check"})
        assert "Confirm and start" in checked.content.decode(), checked.content.decode()[-3000:]
        started = self.client.post(self.start_url, {**form, "action": "start", "confirmed": "on"})
        assert started.status_code == 302, started.content.decode()[-3000:]
        return Pairing.objects.get(pk=int(started.url.rstrip("/").split("/")[-2]))

    def close(self, pairing) -> None:
        url = reverse("admin:conversations_ops_pairing_close", args=[pairing.pk])
        assert self.client.post(url, {"post": "yes"}).status_code == 302


def _state(pairing) -> str:
    pairing.refresh_from_db()
    return pairing.state


@pytest.mark.parametrize(
    ("courier", "through"),
    [(COURIER, "admin"), (COURIER_SMS, "shell")],
    ids=["whatsapp-courier-admin", "sms-courier-shell"],
)
def test_invite_reply_connect_talk_close_and_pair_again(seeded, people, courier, through, admin_client):
    console = AdminConsole(admin_client) if through == "admin" else ShellConsole()
    pairing = console.start(seeded, courier)
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

    console.close(pairing)
    people.wait_until(lambda: _state(pairing) == PairingState.CLOSED, "the close")
    assert pairing.conversation.state == "closed"

    again = console.start(seeded, courier)
    people.wait_until(lambda: _state(again) == PairingState.AWAITING_CUSTOMER, "the second invite")
    assert people.received(CUSTOMER)[-1] == INVITE
    assert Pairing.objects.count() == 2
