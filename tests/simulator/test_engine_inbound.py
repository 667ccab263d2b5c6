"""Inbound: a phone writes to a business address and the simulator routes it as Twilio would."""

import json

import pytest

from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import AddressAutoCreation
from simulator.engine import delivery, owned, webhooks_out
from simulator.models import SimConversation, SimMessage, SimParticipant, SimScopedWebhook, SimWebhookDelivery
from tests.simulator.engine_helpers import (
    BUSINESS_SMS,
    BUSINESS_WA,
    COURIER_WA,
    CUSTOMER_SMS,
    CUSTOMER_WA,
    control,
    point_account_webhook,
)

pytestmark = pytest.mark.slow


def _inbound(sim, sender, body, to=BUSINESS_WA, **extra):
    status, answer = control(sim, "inbound", json={"From": sender, "To": to, "Body": body, **extra})
    assert status == 200, answer
    return answer


def _phone(sim, address):
    return control(sim, f"handsets/{address}", "GET")[1]["messages"]


def _masked_pair():
    conversation = gateway.conversation_create(friendly_name="Order A123")
    for address in (CUSTOMER_WA, COURIER_WA):
        gateway.participant_create(
            conversation_sid=conversation.sid,
            messaging_binding_address=address,
            messaging_binding_proxy_address=BUSINESS_WA,
        )
    return conversation


def test_masked_relay_between_two_whatsapp_participants_behind_one_number(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=["onMessageAdded"])
    conversation = _masked_pair()
    # The courier writes first: the customer has never written, so WhatsApp refuses the relay.
    first = _inbound(simulator, COURIER_WA, "I'm at the gate")
    assert (first["outcome"], first["conversation_sid"]) == ("relayed", conversation.sid)
    assert [m for m in _phone(simulator, CUSTOMER_WA) if m["direction"] == "received"] == []
    # Now the customer writes: the courier is inside its window and gets it from the business number.
    second = _inbound(simulator, CUSTOMER_WA, "Blue door, 3rd floor")
    (on_courier,) = [m for m in _phone(simulator, COURIER_WA) if m["direction"] == "received"]
    assert on_courier["body"] == "Blue door, 3rd floor"
    # The courier never sees the customer's number: it comes from the business number.
    assert (on_courier["counterpart"], on_courier["from"], on_courier["to"]) == (BUSINESS_WA, BUSINESS_WA, COURIER_WA)
    assert CUSTOMER_WA not in str(on_courier)
    assert on_courier["message_sid"] == second["message_sid"]
    message = SimMessage.objects.get(sid=second["message_sid"])
    customer = SimParticipant.objects.get(address=CUSTOMER_WA)
    assert (message.author, message.participant_sid) == (CUSTOMER_WA, customer.sid)
    assert delivery.window_open_until(CUSTOMER_WA, BUSINESS_WA) == message.date_created + delivery.WINDOW
    sent = [m for m in _phone(simulator, CUSTOMER_WA) if m["direction"] == "sent"]
    assert [m["body"] for m in sent] == ["Blue door, 3rd floor"]

    assert webhooks_out.drain(10)
    added = capture.received(event_type="onMessageAdded")  # channel traffic: no header needed
    assert [(r.param("Author"), r.param("Source")) for r in added] == [
        (COURIER_WA, "WHATSAPP"),
        (CUSTOMER_WA, "WHATSAPP"),
    ]
    assert all(r.signature_valid() for r in added)


def test_inbound_media_becomes_a_twilio_media_item(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=["onMessageAdded"])
    _masked_pair()
    _inbound(simulator, COURIER_WA, "")
    answer = _inbound(
        simulator, CUSTOMER_WA, "here", MediaUrl="https://example.com/door.jpg", MediaContentType="image/jpeg"
    )
    (item,) = SimMessage.objects.get(sid=answer["message_sid"]).media
    assert set(item) == {"sid", "content_type", "filename", "size"}
    assert (item["content_type"], item["filename"]) == ("image/jpeg", "door.jpg") and item["sid"].startswith("ME")
    received = [m for m in _phone(simulator, COURIER_WA) if m["direction"] == "received"]
    assert received[-1]["media"][0]["url"] == "https://example.com/door.jpg"
    assert webhooks_out.drain(10)
    webhook = capture.received()[-1]
    assert json.loads(webhook.param("Media")) == [item]  # a JSON string inside the form
    assert webhook.signature_valid()


def test_inbound_wakes_an_inactive_conversation(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=["onConversationStateUpdated"])
    conversation = gateway.conversation_create(state="active", timers_inactive="PT5M")  # 50382 without State
    gateway.participant_create(
        conversation_sid=conversation.sid,
        messaging_binding_address=CUSTOMER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    control(simulator, "clock", json={"advance": 600})
    assert SimConversation.objects.get(sid=conversation.sid).state == "inactive"
    _inbound(simulator, CUSTOMER_SMS, "hello?", to=BUSINESS_SMS)
    assert SimConversation.objects.get(sid=conversation.sid).state == "active"
    assert webhooks_out.drain(10)
    moves = [(r.param("StateFrom"), r.param("StateTo"), r.param("Reason")) for r in capture.received()]
    assert moves == [("active", "inactive", "TIMER"), ("inactive", "active", "EVENT")]


def test_a_closed_conversation_no_longer_captures_the_sender(simulator):
    conversation = _masked_pair()
    gateway.conversation_update(sid=conversation.sid, state="closed")
    answer = _inbound(simulator, CUSTOMER_WA, "anyone?")
    assert answer["outcome"] == "undelivered"
    assert SimMessage.objects.count() == 0


def _address(auto_type, **kwargs):
    owned.own(BUSINESS_WA)  # Twilio configures only the account's own senders
    return gateway.address_configuration_create(
        type="whatsapp",
        address=BUSINESS_WA,
        friendly_name="Deliveries",
        auto_creation=AddressAutoCreation(enabled=True, type=auto_type, **kwargs),
    )


def test_auto_creation_default_creates_conversation_participant_message_and_fires_events(simulator, capture):
    point_account_webhook(capture.hook("/account"))
    _address("default")
    answer = _inbound(simulator, CUSTOMER_WA, "I want to order")
    assert answer["outcome"] == "auto_created"
    conversation = SimConversation.objects.get(sid=answer["conversation_sid"])
    (participant,) = conversation.participants.all()
    assert (participant.address, participant.proxy_address, participant.sid) == (
        CUSTOMER_WA,
        BUSINESS_WA,
        answer["participant_sid"],
    )
    (message,) = conversation.messages.all()
    assert (message.body, message.author, message.sid) == ("I want to order", CUSTOMER_WA, answer["message_sid"])

    assert webhooks_out.drain(10)
    received = capture.received(path="/account")
    assert [r.param("EventType") for r in received] == ["onConversationAdded", "onParticipantAdded", "onMessageAdded"]
    assert received[0].param("MessagingBinding.Address") == CUSTOMER_WA
    assert received[0].param("MessagingBinding.ProxyAddress") == BUSINESS_WA
    assert {r.param("Source") for r in received} == {"WHATSAPP"}
    assert all(r.signature_valid() for r in received)
    # The next message from the same person joins the conversation just made.
    assert _inbound(simulator, CUSTOMER_WA, "a pizza")["conversation_sid"] == conversation.sid


def test_auto_creation_webhook_hands_over_to_its_url_with_its_filters(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=[])
    _address(
        "webhook",
        webhook_url=capture.hook("/auto"),
        webhook_method="post",
        webhook_filters=["onParticipantAdded", "onMessageAdded"],
    )
    answer = _inbound(simulator, CUSTOMER_WA, "hello")
    assert webhooks_out.drain(10)
    received = capture.received(path="/auto")
    assert [r.param("EventType") for r in received] == ["onParticipantAdded", "onMessageAdded"]
    assert all(r.signature_valid() and r.param("ConversationSid") == answer["conversation_sid"] for r in received)
    (hook,) = list(gateway.conversation_webhook_list(conversation_sid=answer["conversation_sid"]))
    assert (hook.target, hook.url) == ("webhook", capture.hook("/auto"))


def test_auto_creation_studio_adds_a_logged_studio_webhook(simulator, capture):
    point_account_webhook(capture.hook("/account"), filters=["onConversationAdded"])
    flow = "FW" + "2" * 32
    _address("studio", studio_flow_sid=flow, studio_retry_count=2)
    answer = _inbound(simulator, CUSTOMER_WA, "hi")
    hook = SimScopedWebhook.objects.get(conversation__sid=answer["conversation_sid"])
    assert (hook.target, hook.flow_sid, hook.replay_after) == ("studio", flow, 0)
    assert webhooks_out.drain(10)
    (studio,) = SimWebhookDelivery.objects.filter(url=f"studio:{flow}")
    assert studio.event_type == "onMessageAdded" and studio.status_code is None
    assert [r.param("EventType") for r in capture.received()] == ["onConversationAdded"]


def test_a_number_with_a_messaging_webhook_gets_the_classic_inbound_post(simulator, capture):
    status, _ = control(simulator, "numbers", data={"address": BUSINESS_WA, "sms_url": capture.hook("/sms")})
    assert status == 200
    answer = _inbound(
        simulator,
        CUSTOMER_WA,
        "join sandbox",
        MediaUrl="https://example.com/a.png",
        MediaContentType="image/png",
        ProfileName="Robert",
    )
    assert (answer["outcome"], answer["messaging_webhook"]) == ("messaging_webhook", capture.hook("/sms"))
    (request,) = capture.wait_for(1, path="/sms")
    params = request.params
    assert request.signature_valid()
    assert params["MessageSid"] == params["SmsSid"] == params["SmsMessageSid"] == answer["message_sid"]
    assert params["MessageSid"].startswith("MM")  # media: an MMS-style sid
    assert (params["From"], params["To"], params["Body"]) == (CUSTOMER_WA, BUSINESS_WA, "join sandbox")
    assert (params["NumMedia"], params["MediaContentType0"]) == ("1", "image/png")
    # Twilio serves the file itself: MediaUrl0 is the simulator's copy, not the URL the phone named.
    assert params["MediaUrl0"].startswith(
        f"{simulator.api_base}/api/2010-04-01/Accounts/{params['AccountSid']}/Messages/{params['MessageSid']}/Media/ME"
    )
    assert (params["ProfileName"], params["WaId"], params["SmsStatus"]) == ("Robert", "15017122661", "received")
    assert params["ApiVersion"] == "2010-04-01" and params["AccountSid"].startswith("AC")
    assert params["MessagingServiceSid"].startswith("MG") and params["NumSegments"] == "1"
    assert SimConversation.objects.count() == 0


def test_nothing_captures_an_unknown_address(simulator):
    answer = _inbound(simulator, CUSTOMER_WA, "hello?", to="whatsapp:+14155559999")
    assert answer["outcome"] == "undelivered" and answer["error_code"] == 30005
    (entry,) = _phone(simulator, CUSTOMER_WA)
    assert (entry["direction"], entry["status"], entry["error_code"]) == ("sent", "undelivered", 30005)
    assert entry["reason"]


def test_from_and_to_must_share_a_channel(simulator):
    status, answer = control(simulator, "inbound", data={"From": CUSTOMER_SMS, "To": BUSINESS_WA, "Body": "x"})
    assert (status, answer["code"]) == (400, 21910)
    status, answer = control(simulator, "inbound", data={"From": "not-a-number", "To": BUSINESS_WA})
    assert status == 400
    assert json.dumps(answer)  # a JSON error, not an HTML page
