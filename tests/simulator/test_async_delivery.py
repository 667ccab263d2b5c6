"""Asynchronous delivery, through the twilio SDK against the live simulator: receipts go
sent -> delivered -> read (WhatsApp) after their delays on the simulator clock, a phone can
fail, be undelivered or never read, and webhooks can leave out of order and twice.

The test settings deliver at once and nobody reads (config/settings/test.py); each test here
turns delays on through the control API, and moves the simulator clock instead of waiting,
except the one that shows the ticker applies steps when nobody moves the clock.
"""

import threading

import pytest
from django.db import connections

from conversations_ops.twilio import gateway
from simulator import clock
from simulator.engine import receipt_schedule, webhooks_out
from simulator.models import SimReceiptStep, SimWebhookDelivery
from tests.simulator.engine_helpers import (
    BUSINESS_SMS,
    BUSINESS_WA,
    CUSTOMER_SMS,
    CUSTOMER_WA,
    control,
    point_account_webhook,
)

pytestmark = pytest.mark.slow


def _delays(simulator, delivered=60, read=120):
    status, answer = control(simulator, "delivery", json={"delivered_after_s": delivered, "read_after_s": read})
    assert status == 200, answer
    return answer


def _conversation_with(simulator, address, proxy):
    conversation = gateway.conversation_create()
    gateway.participant_create(
        conversation_sid=conversation.sid, messaging_binding_address=address, messaging_binding_proxy_address=proxy
    )
    # The person writes first: WhatsApp's 24-hour window is open (and the message reaches nobody else).
    status, _ = control(simulator, "inbound", data={"From": address, "To": proxy, "Body": "hello"})
    assert status == 200
    return conversation


def _receipt(conversation, message):
    (receipt,) = list(gateway.receipt_list(conversation_sid=conversation.sid, message_sid=message.sid))
    return receipt.status, receipt.error_code


def _received(simulator, address):
    _, answer = control(simulator, f"handsets/{address}", "GET")
    return [(m["body"], m["status"]) for m in answer["messages"] if m["direction"] == "received"]


def _advance(simulator, seconds):
    status, _ = control(simulator, "clock", data={"advance": seconds})
    assert status == 200


def _statuses_posted(capture, count):
    received = capture.wait_for(count, timeout=15, event_type="onDeliveryUpdated")
    return [(r.param("Status"), r.param("ErrorCode")) for r in received]


def test_whatsapp_receipts_go_sent_delivered_read_after_their_delays(simulator, capture):
    point_account_webhook(capture.hook(), filters=["onDeliveryUpdated"])
    _delays(simulator, delivered=60, read=120)
    conversation = _conversation_with(simulator, CUSTOMER_WA, BUSINESS_WA)
    message = gateway.message_create(conversation_sid=conversation.sid, body="Your rider is near")

    # The create answers while the receipt is only sent: nothing is on the phone yet.
    assert message.delivery["sent"] == "all" and message.delivery["delivered"] == "none"
    assert _receipt(conversation, message) == ("sent", 0)
    assert _received(simulator, CUSTOMER_WA) == []

    _advance(simulator, 60)
    assert _receipt(conversation, message) == ("delivered", 0)
    assert _received(simulator, CUSTOMER_WA) == [("Your rider is near", "delivered")]
    fetched = gateway.message_fetch(conversation_sid=conversation.sid, sid=message.sid)
    assert (fetched.delivery["delivered"], fetched.delivery["read"]) == ("all", "none")

    _advance(simulator, 120)
    assert _receipt(conversation, message) == ("read", 0)
    assert _received(simulator, CUSTOMER_WA) == [("Your rider is near", "read")]
    assert gateway.message_fetch(conversation_sid=conversation.sid, sid=message.sid).delivery["read"] == "all"
    assert _statuses_posted(capture, 3) == [("sent", "0"), ("delivered", "0"), ("read", "0")]
    assert not SimReceiptStep.objects.exists()


def test_sms_is_delivered_and_never_read(simulator):
    _delays(simulator, delivered=30, read=30)
    conversation = _conversation_with(simulator, CUSTOMER_SMS, BUSINESS_SMS)
    message = gateway.message_create(conversation_sid=conversation.sid, body="Your order left")
    assert _receipt(conversation, message) == ("sent", 0)
    _advance(simulator, 3600)
    assert _receipt(conversation, message) == ("delivered", 0)
    assert not SimReceiptStep.objects.exists()


@pytest.mark.parametrize(
    ("address", "proxy", "outcome", "code"),
    [
        (CUSTOMER_WA, BUSINESS_WA, "failed", 63024),
        (CUSTOMER_WA, BUSINESS_WA, "undelivered", 63032),
        (CUSTOMER_SMS, BUSINESS_SMS, "undelivered", 30003),
        (CUSTOMER_SMS, BUSINESS_SMS, "failed", 30005),
    ],
)
def test_a_handset_can_fail_or_be_undelivered_with_a_chosen_code(simulator, capture, address, proxy, outcome, code):
    point_account_webhook(capture.hook(), filters=["onDeliveryUpdated"])
    _delays(simulator, delivered=10, read=10)
    status, answer = control(simulator, f"handsets/{address}/delivery", json={"outcome": outcome, "error_code": code})
    assert (status, answer) == (200, {"address": address, "outcome": outcome, "error_code": code, "reads": True})
    conversation = _conversation_with(simulator, address, proxy)
    message = gateway.message_create(conversation_sid=conversation.sid, body="Are you there?")
    assert _receipt(conversation, message) == ("sent", 0)

    _advance(simulator, 10)
    assert _receipt(conversation, message) == (outcome, code)
    assert gateway.message_fetch(conversation_sid=conversation.sid, sid=message.sid).delivery[outcome] == "all"
    assert _received(simulator, address) == []  # nothing reached the phone
    assert _statuses_posted(capture, 2) == [("sent", "0"), (outcome, str(code))]

    control(simulator, f"handsets/{address}/delivery", "DELETE")
    again = gateway.message_create(conversation_sid=conversation.sid, body="Now?")
    _advance(simulator, 10)
    assert _receipt(conversation, again) == ("delivered", 0)


def test_an_unread_handset_stays_delivered(simulator):
    _delays(simulator, delivered=5, read=5)
    assert control(simulator, f"handsets/{CUSTOMER_WA}/delivery", json={"reads": False})[1]["reads"] is False
    conversation = _conversation_with(simulator, CUSTOMER_WA, BUSINESS_WA)
    message = gateway.message_create(conversation_sid=conversation.sid, body="Read me")
    _advance(simulator, 3600)
    assert _receipt(conversation, message) == ("delivered", 0)
    assert _received(simulator, CUSTOMER_WA) == [("Read me", "delivered")]


def test_the_window_is_judged_when_the_message_is_sent_and_its_failure_arrives_later(simulator):
    _delays(simulator, delivered=20, read=20)
    conversation = gateway.conversation_create()
    gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    message = gateway.message_create(conversation_sid=conversation.sid, body="Never wrote to us")  # 201
    assert _receipt(conversation, message) == ("sent", 0)
    _advance(simulator, 20)
    assert _receipt(conversation, message) == ("failed", 63016)


def test_receipts_progress_in_real_time_when_nobody_moves_the_clock(simulator, capture):
    point_account_webhook(capture.hook(), filters=["onDeliveryUpdated"])
    _delays(simulator, delivered=0.2, read=0.2)
    conversation = _conversation_with(simulator, CUSTOMER_WA, BUSINESS_WA)
    message = gateway.message_create(conversation_sid=conversation.sid, body="On my way")
    # No clock move, no REST read: only the ticker thread can apply the steps.
    assert [status for status, _ in _statuses_posted(capture, 3)] == ["sent", "delivered", "read"]
    assert _receipt(conversation, message) == ("read", 0)


def test_a_step_is_applied_once_when_two_appliers_race(simulator, capture):
    point_account_webhook(capture.hook(), filters=["onDeliveryUpdated"])
    _delays(simulator, delivered=30, read=30)
    conversation = _conversation_with(simulator, CUSTOMER_WA, BUSINESS_WA)
    for n in range(3):
        gateway.message_create(conversation_sid=conversation.sid, body=f"m{n}")
    receipt_schedule.stop_ticker()  # two appliers of our own instead
    clock.advance(3600)
    applied = []

    def applier():
        try:
            applied.append(receipt_schedule.apply_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=applier) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(applied) == 6  # 3 receipts x (delivered, read), whichever thread got each
    assert webhooks_out.drain(15)
    statuses = [status for status, _ in _statuses_posted(capture, 9)]
    assert sorted(statuses) == ["delivered"] * 3 + ["read"] * 3 + ["sent"] * 3


def test_webhooks_can_leave_reversed_and_twice(simulator, capture):
    point_account_webhook(capture.hook())
    status, _ = control(
        simulator, "delivery", json={"webhooks": {"order": "reversed", "duplicates": 1, "hold_ms": 300, "seed": 1}}
    )
    assert status == 200
    conversation = gateway.conversation_create()
    gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    assert webhooks_out.drain(15)
    capture.requests.clear()
    message = gateway.message_create(conversation_sid=conversation.sid, body="Hello", webhook_enabled=True)
    assert webhooks_out.drain(15)

    events = [
        (r.param("EventType"), r.param("Status"), r.headers["I-Twilio-Idempotency-Token"]) for r in capture.received()
    ]
    kinds = [(event, status) for event, status, _ in events]
    once = [("onDeliveryUpdated", "delivered"), ("onDeliveryUpdated", "sent"), ("onMessageAdded", None)]
    assert kinds == once + once  # the newest first, then each one again
    tokens = [token for _, _, token in events]
    assert tokens[:3] == tokens[3:] and len(set(tokens)) == 3  # a duplicate is the same request again
    assert all(r.signature_valid() for r in capture.received())
    rows = SimWebhookDelivery.objects.filter(conversation_sid=conversation.sid, duplicate_of__isnull=False)
    assert rows.count() == 3 and {r.duplicate_of.event_type for r in rows} == {"onMessageAdded", "onDeliveryUpdated"}
    assert message.sid in {r.param("MessageSid") for r in capture.received()}


def test_the_delivery_switches_are_validated_shown_and_reset(simulator):
    assert control(simulator, "delivery", json={"webhooks": {"order": "sideways"}})[0] == 400
    assert control(simulator, "delivery", json={"delivered_after_s": -1})[0] == 400
    assert control(simulator, "delivery", json={"typo": 1})[0] == 400
    status, answer = control(simulator, f"handsets/{CUSTOMER_WA}/delivery", json={"outcome": "failed"})
    assert status == 400 and "63024" in answer["error"]
    assert control(simulator, f"handsets/{CUSTOMER_WA}/delivery", json={"outcome": "lost"})[0] == 400

    answer = _delays(simulator, delivered=3, read=None)
    assert (answer["delivered_after_s"], answer["read_after_s"], answer["pending_steps"]) == (3, None, 0)
    assert control(simulator, "delivery", "DELETE")[1]["delivered_after_s"] == 0.0  # the test settings
    _delays(simulator, delivered=3)
    control(simulator, f"handsets/{CUSTOMER_WA}/delivery", json={"reads": "false"})
    control(simulator, "reset")
    assert control(simulator, "delivery", "GET")[1]["delivered_after_s"] == 0.0
    assert control(simulator, f"handsets/{CUSTOMER_WA}/delivery", "GET")[1]["reads"] is True
