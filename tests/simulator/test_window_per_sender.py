"""WhatsApp's customer service window is the person's with the business sender, across
conversations and channels (Meta: it starts "when a WhatsApp user messages you"; Twilio
63016: "24 hours after the user's last inbound message"), through the real twilio SDK.

Receipts are read until they settle (sent -> delivered/failed), whether the simulator
delivers at once or later.
"""

import time

import pytest

from conversations_ops.twilio import gateway
from tests.simulator.engine_helpers import BUSINESS_WA, CUSTOMER_WA, control

pytestmark = pytest.mark.slow

COLD_WA = "whatsapp:+15017122670"
LEAD_WA = "whatsapp:+15017122671"
SANDBOX_WA = "whatsapp:+14155550177"
SETTLED = {"delivered", "read", "failed", "undelivered"}


def _conversation_with(person, business=BUSINESS_WA, name=None):
    conversation = gateway.conversation_create(friendly_name=name or person)
    gateway.participant_create(
        conversation_sid=conversation.sid, messaging_binding_address=person, messaging_binding_proxy_address=business
    )
    return conversation


def _settled_receipt(conversation_sid, message_sid, timeout=30):
    """The message's one receipt once it stops being `sent` (read over the REST API)."""
    deadline = time.monotonic() + timeout
    while True:
        receipts = list(gateway.receipt_list(conversation_sid=conversation_sid, message_sid=message_sid))
        if receipts and all(r.status in SETTLED for r in receipts):
            (receipt,) = receipts
            return receipt
        assert time.monotonic() < deadline, [(r.status, r.error_code) for r in receipts]
        time.sleep(0.2)


def _inbound(sim, sender, to, body):
    status, answer = control(sim, "inbound", json={"From": sender, "To": to, "Body": body})
    assert status == 200, answer
    return answer


def _received(sim, address):
    messages = control(sim, f"handsets/{address}", "GET")[1]["messages"]
    return [m["body"] for m in messages if m["direction"] == "received"]


def test_a_person_who_wrote_in_a_closed_conversation_gets_free_form_in_the_next_one(simulator):
    yesterday = _conversation_with(CUSTOMER_WA, name="yesterday")
    assert _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "Where is my order?")["outcome"] == "relayed"
    gateway.conversation_update(sid=yesterday.sid, state="closed")

    today = _conversation_with(CUSTOMER_WA, name="today")  # the pair is free again: A is closed
    sent = gateway.message_create(conversation_sid=today.sid, body="Your rider is 5 minutes away")
    receipt = _settled_receipt(today.sid, sent.sid)

    assert (receipt.status, receipt.error_code or None) == ("delivered", None)
    assert _received(simulator, CUSTOMER_WA) == ["Your rider is 5 minutes away"]


def test_a_person_who_never_wrote_anywhere_is_refused_free_form_with_63016(simulator):
    # Someone else wrote to the business number: that opens nothing for this person.
    _conversation_with(CUSTOMER_WA)
    _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "Hi")
    cold = _conversation_with(COLD_WA)
    sent = gateway.message_create(conversation_sid=cold.sid, body="Your table is ready")

    receipt = _settled_receipt(cold.sid, sent.sid)
    assert (receipt.status, receipt.error_code) == ("failed", 63016)
    assert _received(simulator, COLD_WA) == []


def test_a_message_to_another_business_number_opens_nothing_for_this_one(simulator):
    _conversation_with(LEAD_WA, business=SANDBOX_WA)
    _inbound(simulator, LEAD_WA, SANDBOX_WA, "Hello sandbox")
    here = _conversation_with(LEAD_WA)
    sent = gateway.message_create(conversation_sid=here.sid, body="Hello from the main number")

    assert _settled_receipt(here.sid, sent.sid).error_code == 63016


def test_a_message_on_the_numbers_messaging_webhook_opens_the_window_for_conversations(simulator, capture):
    status, _ = control(simulator, "numbers", data={"address": SANDBOX_WA, "sms_url": capture.hook("/sms")})
    assert status == 200
    assert _inbound(simulator, LEAD_WA, SANDBOX_WA, "join sandbox")["outcome"] == "messaging_webhook"

    conversation = _conversation_with(LEAD_WA, business=SANDBOX_WA)
    sent = gateway.message_create(conversation_sid=conversation.sid, body="Welcome!")
    assert _settled_receipt(conversation.sid, sent.sid).status == "delivered"
    assert _received(simulator, LEAD_WA) == ["Welcome!"]


def test_the_window_still_closes_24_hours_after_the_persons_last_message(simulator):
    first = _conversation_with(CUSTOMER_WA, name="first")
    _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "Hi")
    gateway.conversation_update(sid=first.sid, state="closed")
    assert control(simulator, "clock", data={"advance": 24 * 3600 + 1})[0] == 200

    later = _conversation_with(CUSTOMER_WA, name="later")
    sent = gateway.message_create(conversation_sid=later.sid, body="Still there?")
    assert _settled_receipt(later.sid, sent.sid).error_code == 63016
