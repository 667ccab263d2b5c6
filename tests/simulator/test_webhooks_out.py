"""Webhooks out: signed as RequestValidator checks, per-event parameters, filters,
the X-Twilio-Webhook-Enabled gate, asynchronous delivery, the log and the 5 s timeout."""

import json
import time

import pytest
import requests
from django.conf import settings

from conversations_ops.twilio import gateway
from simulator.engine import webhooks_out
from simulator.models import SimWebhookDelivery
from tests.simulator.engine_helpers import BUSINESS_SMS, CUSTOMER_SMS, point_account_webhook

pytestmark = pytest.mark.slow
AUTH = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

COMMON = {"AccountSid", "EventType", "Source"}
EXPECTED = {
    "onConversationAdded": {
        "ConversationSid",
        "DateCreated",
        "DateUpdated",
        "FriendlyName",
        "UniqueName",
        "Attributes",
        "ChatServiceSid",
        "MessagingServiceSid",
        "State",
    },
    "onConversationUpdated": {
        "ConversationSid",
        "DateCreated",
        "DateUpdated",
        "FriendlyName",
        "UniqueName",
        "Attributes",
        "ChatServiceSid",
        "MessagingServiceSid",
        "State",
    },
    "onConversationRemoved": {
        "ConversationSid",
        "DateCreated",
        "DateUpdated",
        "FriendlyName",
        "UniqueName",
        "Attributes",
        "ChatServiceSid",
        "MessagingServiceSid",
        "State",
        "DateRemoved",
    },
    "onParticipantAdded": {
        "ConversationSid",
        "ParticipantSid",
        "DateCreated",
        "Attributes",
        "MessagingBinding.ProxyAddress",
        "MessagingBinding.Address",
        "MessagingBinding.Type",
    },
    "onParticipantUpdated": {
        "ConversationSid",
        "ParticipantSid",
        "DateCreated",
        "DateUpdated",
        "Attributes",
        "MessagingBinding.ProxyAddress",
        "MessagingBinding.Address",
        "MessagingBinding.Type",
    },
    "onParticipantRemoved": {
        "ConversationSid",
        "ParticipantSid",
        "DateCreated",
        "DateUpdated",
        "DateRemoved",
        "Attributes",
        "MessagingBinding.ProxyAddress",
        "MessagingBinding.Address",
        "MessagingBinding.Type",
    },
    "onMessageAdded": {
        "ConversationSid",
        "MessageSid",
        "MessagingServiceSid",
        "Index",
        "DateCreated",
        "Body",
        "Author",
        "Attributes",
    },
    "onDeliveryUpdated": {
        "ConversationSid",
        "ChatServiceSid",
        "MessageSid",
        "DeliveryReceiptSid",
        "ChannelMessageSid",
        "ParticipantSid",
        "Status",
        "ErrorCode",
        "DateCreated",
        "DateUpdated",
    },
}


def _sms_conversation(webhook_enabled=True, **kwargs):
    conversation = gateway.conversation_create(webhook_enabled=webhook_enabled, **kwargs)
    participant = gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
        webhook_enabled=webhook_enabled,
    )
    return conversation, participant


def test_every_event_is_signed_and_carries_twilios_parameters(simulator, capture):
    point_account_webhook(capture.hook("/account"))
    conversation, participant = _sms_conversation(unique_name="order-1", friendly_name="Order 1")
    gateway.message_create(
        conversation_sid=conversation.sid, body="Your order is on its way", attributes='{"k": 1}', webhook_enabled=True
    )
    gateway.conversation_update(sid=conversation.sid, friendly_name="Order 1b", webhook_enabled=True)
    gateway.participant_update(
        conversation_sid=conversation.sid, sid=participant.sid, attributes='{"a": 1}', webhook_enabled=True
    )
    # Raw DELETEs: twilio-python 9.13 drops X-Twilio-Webhook-Enabled on delete (its
    # generated _delete() resets the headers), so the gateway cannot send it there.
    base = f"{simulator.api_base}/conversations/v1/Conversations/{conversation.sid}"
    for url in (f"{base}/Participants/{participant.sid}", base):
        response = requests.delete(url, auth=AUTH, headers={"X-Twilio-Webhook-Enabled": "true"}, timeout=10)
        assert response.status_code == 204
    assert webhooks_out.drain(10)

    received = capture.received(path="/account")
    assert [r.param("EventType") for r in received] == [
        "onConversationAdded",
        "onParticipantAdded",
        "onMessageAdded",
        "onDeliveryUpdated",
        "onDeliveryUpdated",
        "onConversationUpdated",
        "onParticipantUpdated",
        "onParticipantRemoved",
        "onConversationRemoved",
    ]
    for request in received:
        assert request.method == "POST"
        assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
        assert request.signature_valid(), request.param("EventType")
        assert request.headers["I-Twilio-Idempotency-Token"]
        event = request.param("EventType")
        assert COMMON | EXPECTED[event] <= set(request.params.keys()), event
        assert request.param("AccountSid") == settings.TWILIO_ACCOUNT_SID
        assert request.param("ConversationSid") == conversation.sid
    tokens = {r.headers["I-Twilio-Idempotency-Token"] for r in received}
    assert len(tokens) == len(received)

    by_event = {r.param("EventType"): r for r in received}
    added = by_event["onMessageAdded"]
    assert added.param("Body") == "Your order is on its way"
    assert json.loads(added.param("Attributes")) == {"k": 1}
    assert added.param("Index") == "0" and added.param("Source") == "API"
    assert added.param("DateCreated").endswith("Z")
    assert by_event["onParticipantAdded"].param("MessagingBinding.Type") == "SMS"
    assert by_event["onConversationUpdated"].param("FriendlyName") == "Order 1b"
    statuses = [r.param("Status") for r in received if r.param("EventType") == "onDeliveryUpdated"]
    assert statuses == ["sent", "delivered"]


def test_a_tampered_parameter_no_longer_validates(simulator, capture):
    point_account_webhook(capture.hook("/account"))
    _sms_conversation()
    request = capture.wait_for(1, path="/account")[0]
    assert request.signature_valid()
    request.params["ConversationSid"] = "CH" + "0" * 32
    assert not request.signature_valid()


def test_account_filters_are_honoured(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=["onMessageAdded"])
    conversation, _ = _sms_conversation()
    gateway.message_create(conversation_sid=conversation.sid, body="hello", webhook_enabled=True)
    assert webhooks_out.drain(10)
    assert [r.param("EventType") for r in capture.received()] == ["onMessageAdded"]


def test_rest_changes_fire_webhooks_only_with_the_header_but_deliveries_always(simulator, capture):
    point_account_webhook(capture.hook("/account"))
    conversation, _ = _sms_conversation(webhook_enabled=False)
    gateway.message_create(conversation_sid=conversation.sid, body="silent")
    gateway.message_create(conversation_sid=conversation.sid, body="announced", webhook_enabled=True)
    assert webhooks_out.drain(10)
    events = [
        (r.param("EventType"), r.param("Body"))
        for r in capture.received()
        if r.param("EventType") != "onDeliveryUpdated"
    ]
    assert events == [("onMessageAdded", "announced")]
    # Channel deliveries report regardless of the header: 2 messages x (sent, delivered).
    assert len(capture.received(event_type="onDeliveryUpdated")) == 4


def test_scoped_webhook_get_method_signs_the_query_string(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=[])
    conversation, _ = _sms_conversation()
    gateway.conversation_webhook_create(
        conversation_sid=conversation.sid,
        target="webhook",
        url=capture.hook("/scoped"),
        method="get",
        filters=["onMessageAdded"],
    )
    message = gateway.message_create(conversation_sid=conversation.sid, body="to the scoped hook", webhook_enabled=True)
    assert webhooks_out.drain(10)
    assert capture.received(path="/account") == []  # an empty filter list hears nothing
    (request,) = capture.received(path="/scoped")
    assert request.method == "GET"
    assert request.param("MessageSid") == message.sid
    assert request.param("WebhookType") == "webhook" and request.param("WebhookSid").startswith("WH")
    assert request.signature_valid()


def test_trigger_webhook_fires_only_on_a_matching_keyword(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=[])
    conversation, _ = _sms_conversation()
    gateway.conversation_webhook_create(
        conversation_sid=conversation.sid,
        target="trigger",
        url=capture.hook("/trigger"),
        method="post",
        filters=["onMessageAdded"],
        triggers=["help"],
    )
    for body in ("hello there", "I need HELP please", "helpful tip"):
        gateway.message_create(conversation_sid=conversation.sid, body=body, webhook_enabled=True)
    assert webhooks_out.drain(10)
    assert [r.param("Body") for r in capture.received(path="/trigger")] == ["I need HELP please"]


def test_studio_webhook_is_logged_and_never_called(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=[])
    conversation, _ = _sms_conversation()
    flow = "FW" + "1" * 32
    gateway.conversation_webhook_create(conversation_sid=conversation.sid, target="studio", flow_sid=flow)
    gateway.message_create(conversation_sid=conversation.sid, body="for the flow", webhook_enabled=True)
    assert webhooks_out.drain(10)
    (row,) = SimWebhookDelivery.objects.filter(url=f"studio:{flow}")
    assert row.event_type == "onMessageAdded" and row.status_code is None and "not executed" in row.error
    assert capture.received() == []


def test_delivery_is_asynchronous_and_a_slow_receiver_does_not_slow_the_api(simulator, capture):
    point_account_webhook(capture.hook("/slow"), filters=["onMessageAdded"])
    capture.delays["/slow"] = 3
    conversation, _ = _sms_conversation()
    started = time.monotonic()
    for n in range(2):
        gateway.message_create(conversation_sid=conversation.sid, body=f"m{n}", webhook_enabled=True)
    assert time.monotonic() - started < 2  # two webhooks at 3 s each would take 6 s in-line
    assert capture.received() == []
    received = capture.wait_for(2, timeout=15)
    assert [r.param("Body") for r in received] == ["m0", "m1"]  # one worker: order is kept
    assert webhooks_out.drain(10)
    rows = SimWebhookDelivery.objects.filter(event_type="onMessageAdded").order_by("id")
    assert [r.duration_ms >= 3000 for r in rows] == [True, True]


def test_the_log_records_status_excerpt_and_no_retry(simulator, capture):
    point_account_webhook(capture.hook("/broken"), filters=["onConversationAdded"])
    capture.statuses["/broken"] = 500
    gateway.conversation_create(webhook_enabled=True)
    assert webhooks_out.drain(10)
    (row,) = SimWebhookDelivery.objects.all()
    assert (row.kind, row.event_type, row.status_code, row.response_excerpt) == (
        "account",
        "onConversationAdded",
        500,
        "ok",
    )
    assert row.delivered_at is not None and row.duration_ms is not None and row.signature
    assert len(capture.received()) == 1  # Twilio does not retry a 5xx


def test_an_unreachable_url_is_logged_as_an_error(simulator):
    point_account_webhook("http://127.0.0.1:9/nothing-listens-here", filters=["onConversationAdded"])
    gateway.conversation_create(webhook_enabled=True)
    assert webhooks_out.drain(10)
    (row,) = SimWebhookDelivery.objects.all()
    assert row.status_code is None and "ConnectionError" in row.error


def test_twilio_waits_five_seconds_for_a_webhook():
    assert settings.SIMULATOR_WEBHOOK_TIMEOUT == 5.0  # only tests shorten it
    assert webhooks_out.timeout_seconds() == 5.0


def test_a_receiver_slower_than_the_timeout_is_logged_as_timed_out(simulator, capture, settings):
    settings.SIMULATOR_WEBHOOK_TIMEOUT = 0.5
    point_account_webhook(capture.hook("/stuck"), filters=["onConversationAdded"])
    capture.delays["/stuck"] = 2
    gateway.conversation_create(webhook_enabled=True)
    assert webhooks_out.drain(10)
    (row,) = SimWebhookDelivery.objects.all()
    assert row.status_code is None and "No answer within 0.5 s" in row.error
    assert 400 <= row.duration_ms < 1900


def test_webhooks_leave_only_after_the_transaction_commits(transactional_db, capture):
    """A rolled-back change sends nothing: the job is queued by on_commit."""
    from django.db import transaction

    from simulator.engine import events, store

    point_account_webhook(capture.hook("/account"), filters=["onConversationAdded"])
    with pytest.raises(RuntimeError), transaction.atomic():
        events.conversation_event("onConversationAdded", store.create_conversation(friendly_name="rolled back"))
        raise RuntimeError
    with transaction.atomic():
        events.conversation_event("onConversationAdded", store.create_conversation(friendly_name="kept"))
    assert webhooks_out.drain(10)
    assert [r.param("FriendlyName") for r in capture.received()] == ["kept"]
