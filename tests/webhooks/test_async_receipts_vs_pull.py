"""Done-when: with asynchronous, out-of-order, duplicated receipts switched on, the pairing and
window journeys end with the same mirror as a `twilio_pull` of the simulator.

The simulator's switch (POST _control/delivery) makes receipts arrive later (delivered after
0.4 s, read after another 0.6 s on WhatsApp, applied by its ticker in real time: nobody moves
the clock for them) and its webhooks leave shuffled, half of them twice. The journeys wait for
what people see rather than assuming it is instant. At the end, once no receipt step is left,
the mirror the webhooks built (plus the console's pushes) must equal a pull of the simulator
from nothing, and every receipt the console holds must say what Twilio's Receipts list says.
"""

import time

import pytest
import requests

from conversations_ops.models import Conversation, DeliveryReceipt, Message, Pairing, PairingState, PullCheckpoint
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.messages import message_send, message_send_check
from conversations_ops.services.participants import participant_add
from conversations_ops.twilio import gateway
from simulator.models import SimReceiptStep, SimWebhookDelivery
from tests.helpers.handsets import settle_inbox
from tests.helpers.pairings import COURIER, CUSTOMER, ROBERT_ALICIA, ShellConsole
from tests.messaging.test_window_e2e import _move_both_clocks
from tests.pairings.test_pairing_e2e import AUTO_REPLY, CONNECTED, INVITE
from tests.webhooks.test_handset_vs_pull import mirror_as_twilio_knows_it

pytestmark = pytest.mark.slow

SWITCH = {
    "delivered_after_s": 0.4,
    "read_after_s": 0.6,
    "webhooks": {"order": "shuffled", "duplicates": 0.5, "hold_ms": 250, "seed": 17},
}
COLD_LEAD = "whatsapp:+15017122699"  # never wrote: free-form fails 63016
OFF_AIR = "+15017122670"  # an SMS phone that is switched off: undelivered 30003


@pytest.fixture
def asynchronous(simulator):
    response = requests.post(f"{simulator.api_base}/_control/delivery", json=SWITCH, timeout=30)
    assert response.status_code == 200, response.text
    return simulator


def _wait(check, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _settle(people):
    """Every receipt step applied (by the simulator's ticker), every webhook sent and applied."""
    _wait(lambda: not SimReceiptStep.objects.exists(), "the receipts to arrive")
    people.settle()
    settle_inbox()


def _receipts_as_twilio_says():
    """Twilio's Receipts list (through the SDK) for every message the mirror has."""
    answer = {}
    for message in Message.objects.exclude(sid="").select_related("conversation"):
        for receipt in gateway.receipt_list(conversation_sid=message.conversation.sid, message_sid=message.sid):
            answer[receipt.sid] = (message.sid, receipt.participant_sid, receipt.status, receipt.error_code or None)
    return answer


def _receipts_in_the_mirror():
    return {
        r.sid: (r.message.sid, r.participant_sid, r.status, r.error_code)
        for r in DeliveryReceipt.objects.select_related("message")
    }


def _assert_mirror_is_what_a_pull_makes():
    assert SimWebhookDelivery.objects.filter(duplicate_of__isnull=False).exists(), "the switch sent duplicates"
    sent_order = list(
        SimWebhookDelivery.objects.filter(duplicate_of=None, delivered_at__isnull=False)
        .order_by("delivered_at", "id")
        .values_list("id", flat=True)
    )
    assert sent_order != sorted(sent_order), "the switch sent webhooks out of order"
    statuses = {r.status for r in DeliveryReceipt.objects.all()}
    assert "read" in statuses, statuses
    assert _receipts_in_the_mirror() == _receipts_as_twilio_says()
    by_webhooks = mirror_as_twilio_knows_it()

    Conversation.objects.all().delete()  # the whole mirror: participants, messages, receipts cascade
    PullCheckpoint.objects.all().delete()
    summary = twilio_pull(resume=False)
    assert summary.complete, str(summary)
    by_pull = mirror_as_twilio_knows_it()
    differences = _differences(by_webhooks, by_pull)
    assert not differences, "\n".join(map(str, differences))
    assert by_pull == by_webhooks


def _differences(by_webhooks, by_pull):
    """(model, sid, field, by webhooks, by pull) for every value the two mirrors disagree on."""
    found = []
    for model in sorted(set(by_webhooks) | set(by_pull)):
        ours, theirs = by_webhooks.get(model, {}), by_pull.get(model, {})
        for sid in sorted(set(ours) | set(theirs)):
            a, b = ours.get(sid), theirs.get(sid)
            if a is None or b is None:
                found.append((model, sid, "row", a is not None, b is not None))
                continue
            found += [(model, sid, name, a[name], b[name]) for name in a if a[name] != b.get(name)]
    return found


def _state(pairing):
    pairing.refresh_from_db()
    return pairing.state


def test_the_pairing_journey_ends_with_the_mirror_a_pull_makes(seeded, people, asynchronous):
    console = ShellConsole()
    pairing = console.start(seeded, COURIER)
    people.wait_until(lambda: _state(pairing) == PairingState.AWAITING_CUSTOMER, "the invite")
    # The invite reaches the phone once its receipt says delivered, not when Twilio answered.
    people.wait_until(lambda: people.received(CUSTOMER) == [INVITE], "the invite on the phone")

    people.write(CUSTOMER, "Yes, sure!")
    people.wait_until(lambda: _state(pairing) == PairingState.CONNECTED, "the connection")
    people.wait_until(lambda: people.received(CUSTOMER) == [INVITE, AUTO_REPLY], "the auto-reply")
    people.wait_until(lambda: people.received(COURIER) == [CONNECTED], "the connected template")

    people.write(COURIER, "Hi! I'm at the gate")
    people.write(CUSTOMER, "Coming down now")
    people.wait_until(lambda: people.received(CUSTOMER)[-1] == "Hi! I'm at the gate", "the courier's words")
    people.wait_until(lambda: people.received(COURIER)[-1] == "Coming down now", "the customer's words")
    console.close(pairing)
    people.wait_until(lambda: _state(pairing) == PairingState.CLOSED, "the close")
    _settle(people)

    # The courier, on WhatsApp, had not written when the customer's reply was relayed: 63016.
    assert DeliveryReceipt.objects.filter(status="failed", error_code=63016).exists()
    assert Pairing.objects.get(pk=pairing.pk).conversation.state == "closed"
    _assert_mirror_is_what_a_pull_makes()


def test_the_window_journey_ends_with_the_mirror_a_pull_makes(seeded, people, asynchronous, monkeypatch):
    sender, invite = seeded["sender"], seeded["invite"]
    # A customer writes in: Twilio auto-creates the conversation; staff answer free-form inside the window.
    first = people.handset.send(CUSTOMER, sender, "Hi, where is my order?")
    _settle(people)
    conversation = Conversation.objects.get(sid=first["conversation_sid"])
    message_send(conversation=conversation, body="Your rider is 5 minutes away", guard=True)
    people.wait_until(lambda: people.received(CUSTOMER) == ["Your rider is 5 minutes away"], "the answer")

    # 25 hours later free-form is refused and a template goes out instead.
    _move_both_clocks(people.handset, monkeypatch, 25)
    assert message_send_check(conversation=Conversation.objects.get(pk=conversation.pk), body="Still there?")
    message_send(
        conversation=Conversation.objects.get(pk=conversation.pk),
        content_sid=invite.sid,
        content_variables=ROBERT_ALICIA,
        guard=True,
    )
    people.wait_until(lambda: people.received(CUSTOMER)[-1].startswith("Hello Robert"), "the template")

    # Someone who never wrote: Twilio accepts the free-form message, WhatsApp refuses it later (63016).
    cold = conversation_create(friendly_name="Cold lead")
    participant_add(conversation=Conversation.objects.get(pk=cold.pk), address=COLD_LEAD, proxy_address=sender)
    message_send(conversation=Conversation.objects.get(pk=cold.pk), body="Your table is ready")
    # A phone that is switched off: the SMS comes back undelivered (30003).
    requests.post(
        f"{people.handset.control}/handsets/{OFF_AIR}/delivery",
        json={"outcome": "undelivered", "error_code": 30003},
        timeout=30,
    ).raise_for_status()
    off = conversation_create(friendly_name="Switched off")
    participant_add(
        conversation=Conversation.objects.get(pk=off.pk), address=OFF_AIR, proxy_address=seeded["sms_sender"]
    )
    message_send(conversation=Conversation.objects.get(pk=off.pk), body="Your parcel is at the door")
    _settle(people)

    assert {(r.status, r.error_code) for r in DeliveryReceipt.objects.filter(status__in=["failed", "undelivered"])} == {
        ("failed", 63016),
        ("undelivered", 30003),
    }
    _assert_mirror_is_what_a_pull_makes()
