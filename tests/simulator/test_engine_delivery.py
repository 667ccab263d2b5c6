"""Delivery: receipts, WhatsApp's 24-hour window, template approval, what lands on the phone."""

import re

import pytest

from conversations_ops.twilio import gateway
from simulator.engine import webhooks_out
from simulator.models import SimReceipt
from tests.simulator.engine_helpers import (
    BUSINESS_SMS,
    BUSINESS_WA,
    CUSTOMER_SMS,
    CUSTOMER_WA,
    control,
    point_account_webhook,
)

pytestmark = pytest.mark.slow
INVITE = "Hello {{1}}, your food delivery is almost there but {{2}} (your rider) needs help finding your door."
SID_PATTERN = r"^[a-zA-Z]{2}[0-9a-fA-F]{32}$"


def _whatsapp_customer(sim, *, wrote: bool):
    conversation = gateway.conversation_create(friendly_name="Order A123")
    participant = gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    if wrote:
        status, answer = control(sim, "inbound", json={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "Hi!"})
        assert (status, answer["outcome"]) == (200, "relayed")
    return conversation, participant


def _received(sim, address):
    status, answer = control(sim, f"handsets/{address}", "GET")
    assert status == 200
    return [m for m in answer["messages"] if m["direction"] == "received"]


def _receipt(message_sid):
    (receipt,) = SimReceipt.objects.filter(message__sid=message_sid)
    return receipt


def _template(sim, status=None):
    content = gateway.content_create(
        language="en",
        friendly_name="courier_invite",
        variables={"1": "there", "2": "x"},
        types={"twilio/text": {"body": INVITE}},
    )
    if status:
        assert control(sim, f"content/{content.sid}/approval", json={"status": status})[0] == 200
    return content.sid


def test_free_form_is_delivered_inside_the_window_and_fails_63016_after_25_hours(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=["onDeliveryUpdated"])
    conversation, participant = _whatsapp_customer(simulator, wrote=True)
    control(simulator, "clock", json={"advance": 3600})
    inside = gateway.message_create(conversation_sid=conversation.sid, body="Your rider is 5 minutes away")
    assert _receipt(inside.sid).status == "delivered"
    assert [m["body"] for m in _received(simulator, CUSTOMER_WA)] == ["Your rider is 5 minutes away"]

    control(simulator, "clock", json={"advance": 25 * 3600})
    outside = gateway.message_create(conversation_sid=conversation.sid, body="Are you still there?")
    assert outside.sid.startswith("IM")  # accepted: the REST create still answered 201
    receipt = _receipt(outside.sid)
    assert (receipt.status, receipt.error_code) == ("failed", 63016)
    assert len(_received(simulator, CUSTOMER_WA)) == 1  # nothing new on the phone
    (remote,) = list(gateway.receipt_list(conversation_sid=conversation.sid, message_sid=outside.sid))
    assert remote.status == "failed"

    assert webhooks_out.drain(10)
    updates = [r for r in capture.received(event_type="onDeliveryUpdated") if r.param("MessageSid") == outside.sid]
    assert [(r.param("Status"), r.param("ErrorCode")) for r in updates] == [("sent", "0"), ("failed", "63016")]
    assert updates[-1].param("ParticipantSid") == participant.sid
    assert updates[-1].param("DeliveryReceiptSid") == receipt.sid
    assert updates[-1].param("ChannelMessageSid") == receipt.channel_message_sid
    assert all(r.signature_valid() for r in updates)


def test_a_person_who_never_wrote_gets_no_free_form(simulator):
    conversation, _ = _whatsapp_customer(simulator, wrote=False)
    message = gateway.message_create(conversation_sid=conversation.sid, body="Hello?")
    assert (_receipt(message.sid).status, _receipt(message.sid).error_code) == ("failed", 63016)
    assert _received(simulator, CUSTOMER_WA) == []


def test_an_approved_template_is_delivered_outside_the_window_rendered_with_its_variables(simulator):
    conversation, _ = _whatsapp_customer(simulator, wrote=False)
    content_sid = _template(simulator, "approved")
    message = gateway.message_create(
        conversation_sid=conversation.sid,
        author=None,
        content_sid=content_sid,
        content_variables={"1": "Robert", "2": "Alicia"},
    )
    receipt = _receipt(message.sid)
    assert receipt.status == "delivered"
    (phone,) = _received(simulator, CUSTOMER_WA)
    assert phone["body"] == (
        "Hello Robert, your food delivery is almost there but Alicia (your rider) needs help finding your door."
    )
    assert phone["content_sid"] == content_sid
    assert phone["counterpart"] == BUSINESS_WA
    assert phone["channel_message_sid"] == receipt.channel_message_sid


@pytest.mark.parametrize("status", [None, "pending", "rejected", "paused", "disabled"])
def test_a_template_that_is_not_approved_fails(simulator, status):
    conversation, _ = _whatsapp_customer(simulator, wrote=False)
    message = gateway.message_create(
        conversation_sid=conversation.sid, content_sid=_template(simulator, status), content_variables={"1": "Robert"}
    )
    assert (_receipt(message.sid).status, _receipt(message.sid).error_code) == ("failed", 63016)
    assert _received(simulator, CUSTOMER_WA) == []


def test_an_unapproved_template_inside_the_window_fails_63040(simulator):
    conversation, _ = _whatsapp_customer(simulator, wrote=True)
    message = gateway.message_create(conversation_sid=conversation.sid, content_sid=_template(simulator, "paused"))
    assert (_receipt(message.sid).status, _receipt(message.sid).error_code) == ("failed", 63040)
    assert _received(simulator, CUSTOMER_WA) == []


def test_sms_is_always_delivered_and_chat_identities_get_no_receipt(simulator):
    conversation = gateway.conversation_create()
    sms = gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    gateway.participant_create(conversation_sid=conversation.sid, identity="agent-ana")
    control(simulator, "clock", json={"advance": 30 * 24 * 3600})
    message = gateway.message_create(conversation_sid=conversation.sid, author="agent-ana", body="Your parcel is here")
    receipt = _receipt(message.sid)  # exactly one: the SMS participant, not the chat author
    assert (receipt.participant.sid, receipt.status, receipt.error_code) == (sms.sid, "delivered", None)
    assert receipt.channel_message_sid.startswith("SM") and re.match(SID_PATTERN, receipt.channel_message_sid)
    (phone,) = _received(simulator, CUSTOMER_SMS)
    assert (phone["body"], phone["counterpart"], phone["status"]) == ("Your parcel is here", BUSINESS_SMS, "delivered")


def test_the_author_does_not_receive_its_own_message(simulator):
    conversation, participant = _whatsapp_customer(simulator, wrote=True)
    gateway.message_create(conversation_sid=conversation.sid, author=CUSTOMER_WA, body="note to self")
    assert not SimReceipt.objects.filter(participant__sid=participant.sid).exists()
    assert _received(simulator, CUSTOMER_WA) == []
