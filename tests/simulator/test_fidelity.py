"""The simulator speaks Twilio's contract: every gateway call, request and response, checked against the spec.

Real HTTP through the real gateway (twilio-python) to the live simulator. Each
request the gateway sends is validated with tests/contract's `validate_request`
and each successful response with `validate_response` (vendor/twilio-oai/).
"""

import json
from dataclasses import dataclass, field

import pytest
import requests

from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import AddressAutoCreation
from simulator.engine import owned
from simulator.engine import studio as studio_engine
from simulator.models import SimAccountWebhooks, SimAddressConfiguration, SimContent, SimConversation
from tests.contract.gateway_cases import CASES
from tests.contract.openapi_contract import validate_request, validate_response

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)

BUSINESS_WA, CUSTOMER_WA = "whatsapp:+14155550100", "whatsapp:+15017122661"
BUSINESS_SMS, COURIER_SMS = "+442071838750", "+4915123456789"
MG, RL, FW, ME = "MG" + "1" * 32, "RL" + "2" * 32, "FW" + "3" * 32, "ME" + "4" * 32
HOOK = "https://ops.example.com/webhooks/twilio/conversations/"


@dataclass
class Wire:
    """What went over the wire to the simulator during a test."""

    violations: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (operation, status, body) of non-2xx answers
    bodies: list = field(default_factory=list)  # (operation, decoded JSON body)


@pytest.fixture
def wire(simulator, monkeypatch, settings):
    log, original = Wire(), requests.Session.send
    # Every product the gateway reads from vendor/twilio-oai/; the rest of /api/ (message media
    # bytes) is described by no spec (tests/contract/test_gateway_contract.py: OUTSIDE_THE_SPECS).
    own = (
        f"{simulator.api_base}/conversations/",
        f"{simulator.api_base}/content/",
        f"{simulator.api_base}/messaging/",
        f"{simulator.api_base}/studio/",
        f"{simulator.api_base}/api/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/IncomingPhoneNumbers",
    )

    def send(session, prepared, **kwargs):
        if not prepared.url.startswith(own):  # e.g. webhooks the simulator delivers to the console
            return original(session, prepared, **kwargs)
        try:
            match = validate_request(prepared)
        except AssertionError as exc:
            log.violations.append(str(exc))
            return original(session, prepared, **kwargs)
        response = original(session, prepared, **kwargs)
        body = response.json() if response.content else None
        log.operations.append(match.operation_id)
        log.bodies.append((match.operation_id, body))
        if 200 <= response.status_code < 300:
            try:
                validate_response(match, response.status_code, body)
            except AssertionError as exc:
                log.violations.append(str(exc))
        else:
            log.refused.append((match.operation_id, response.status_code, body))
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    return log


def test_the_harness_catches_an_off_contract_response(wire, simulator, monkeypatch):
    """Guard against a harness that checks nothing: a broken serializer must show up as a violation."""
    from simulator.api import serializers

    real = serializers.conversation
    monkeypatch.setattr(serializers, "conversation", lambda request, row: {**real(request, row), "state": "open"})
    gateway.conversation_create(friendly_name="Broken")
    assert any("CreateConversation" in v and "state" in v for v in wire.violations), wire.violations


def test_every_gateway_call_and_answer_matches_twilios_contract(wire, simulator, engine_calls, settings):
    _owned_addresses()
    _account_lists()
    _address_configurations()
    _account_webhooks(settings)
    _account_configuration()
    conversation = _conversation()
    _participants(conversation.sid)
    _content_and_messages(conversation.sid)
    _scoped_webhooks(conversation.sid)
    gateway.conversation_delete(sid=conversation.sid, webhook_enabled=False)
    assert not SimConversation.objects.filter(sid=conversation.sid).exists()

    assert wire.violations == []
    assert wire.refused == []
    assert {operation for _, _, operation, _ in CASES} <= set(wire.operations)


def _owned_addresses():
    """The account's numbers and WhatsApp senders: only they may be configured (engine/owned.py)."""
    owned.own(BUSINESS_WA, "Deliveries")
    owned.own(BUSINESS_SMS)
    owned.own_whatsapp_sender("whatsapp:+14155550122", status="OFFLINE")
    numbers = list(gateway.phone_number_list())
    assert [n.phone_number for n in numbers] == ["+14155550100", BUSINESS_SMS, "+14155550122"]
    assert all(n.sid.startswith("PN") and n.sms_capable for n in numbers)
    senders = list(gateway.whatsapp_sender_list())
    assert [(s.sender_id, s.online, s.profile_name) for s in senders] == [
        (BUSINESS_WA, True, "Deliveries"),
        ("whatsapp:+14155550122", False, None),
    ]


def _account_lists():
    """What the address form offers besides senders: the account's Studio flows and Conversation Services."""
    published = studio_engine.add_flow("Messaging Flow", "published")
    studio_engine.add_flow("Order updates", "draft")
    flows = list(gateway.studio_flow_list())
    assert [(f.sid, f.friendly_name, f.status, f.revision) for f in flows][0] == (
        published.sid,
        "Messaging Flow",
        "published",
        1,
    )
    assert [f.status for f in flows] == ["published", "draft"]
    services = list(gateway.conversation_service_list())
    assert [s.sid for s in services] == [gateway.account_configuration_fetch().default_chat_service_sid]


def _address_configurations():
    webhook = AddressAutoCreation(
        enabled=True,
        type="webhook",
        webhook_url=HOOK,
        webhook_method="post",
        webhook_filters=["onMessageAdded", "onParticipantAdded"],
    )
    whatsapp = gateway.address_configuration_create(
        type="whatsapp", address=BUSINESS_WA, friendly_name="Deliveries", auto_creation=webhook, address_country="US"
    )
    assert whatsapp.sid.startswith("IG") and whatsapp.address == BUSINESS_WA and whatsapp.address_country == "US"
    assert whatsapp.auto_creation.webhook_method == "post"  # answered "POST", read back lower-case
    assert whatsapp.auto_creation.webhook_filters == ["onMessageAdded", "onParticipantAdded"]
    studio = AddressAutoCreation(enabled=True, type="studio", studio_flow_sid=FW, studio_retry_count=3)
    sms = gateway.address_configuration_create(type="sms", address=BUSINESS_SMS, auto_creation=studio)
    assert (sms.auto_creation.studio_flow_sid, sms.auto_creation.studio_retry_count) == (FW, 3)

    updated = gateway.address_configuration_update(
        sid=whatsapp.sid, friendly_name="Renamed", auto_creation=AddressAutoCreation(enabled=False)
    )
    assert updated.friendly_name == "Renamed" and updated.auto_creation.enabled is False
    assert gateway.address_configuration_fetch(sid=BUSINESS_WA).sid == whatsapp.sid  # by the address itself
    assert [a.sid for a in gateway.address_configuration_list(type="whatsapp")] == [whatsapp.sid]
    gateway.address_configuration_delete(sid=sms.sid)
    assert [a.address for a in gateway.address_configuration_list()] == [BUSINESS_WA]
    assert SimAddressConfiguration.objects.get(sid=whatsapp.sid).friendly_name == "Renamed"


def _account_webhooks(settings):
    default = gateway.account_webhooks_fetch()
    assert default.post_webhook_url == f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/conversations/"
    assert default.method == "POST" and "onDeliveryUpdated" in default.filters
    changed = gateway.account_webhooks_update(
        method="GET", filters=["onMessageAdded"], pre_webhook_url="", post_webhook_url=HOOK, target="webhook"
    )
    assert (changed.method, changed.filters, changed.pre_webhook_url, changed.post_webhook_url) == (
        "GET",
        ["onMessageAdded"],
        None,
        HOOK,
    )
    assert SimAccountWebhooks.objects.get(pk=1).post_webhook_url == HOOK


def _account_configuration():
    configuration = gateway.account_configuration_fetch()
    assert configuration.default_chat_service_sid.startswith("IS")
    assert configuration.default_messaging_service_sid.startswith("MG")
    assert (configuration.default_inactive_timer, configuration.default_closed_timer) == (None, None)


def _conversation():
    made = gateway.conversation_create(
        unique_name="order-a123",
        friendly_name="Order A123",
        attributes='{"order": "A123"}',
        state="active",
        timers_inactive="PT1H",
        timers_closed="P1D",
        messaging_service_sid=MG,
        webhook_enabled=False,
    )
    assert made.sid.startswith("CH") and made.messaging_service_sid == MG and made.state == "active"
    assert made.date_inactive and made.date_closed
    assert gateway.conversation_fetch(sid="order-a123").sid == made.sid
    changed = gateway.conversation_update(
        sid=made.sid,
        friendly_name="Order A123 (courier)",
        attributes='{"order": "A123", "pairing": 7}',
        webhook_enabled=False,
    )
    assert changed.friendly_name == "Order A123 (courier)" and json.loads(changed.attributes)["pairing"] == 7
    assert gateway.conversation_fetch(sid=made.sid).friendly_name == "Order A123 (courier)"
    assert made.sid in [c.sid for c in gateway.conversation_list(state="active")]
    return made


def _participants(conversation_sid):
    customer = gateway.participant_create(
        conversation_sid=conversation_sid,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
        attributes='{"role": "c"}',
    )
    assert (customer.binding_type, customer.binding_address, customer.binding_proxy_address) == (
        "whatsapp",
        CUSTOMER_WA,
        BUSINESS_WA,
    )
    courier = gateway.participant_create(
        conversation_sid=conversation_sid,
        messaging_binding_address=COURIER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    assert courier.binding_type == "sms"
    agent = gateway.participant_create(
        conversation_sid=conversation_sid,
        identity="ops-agent",
        role_sid=RL,
        messaging_binding_projected_address=BUSINESS_SMS,
    )
    assert agent.identity == "ops-agent" and agent.binding_projected_address == BUSINESS_SMS
    agent = gateway.participant_update(
        conversation_sid=conversation_sid,
        sid=agent.sid,
        attributes='{"desk": 2}',
        last_read_message_index=0,
        messaging_binding_projected_address="null",
    )
    assert agent.last_read_message_index == 0 and agent.binding_projected_address is None
    assert gateway.participant_fetch(conversation_sid=conversation_sid, sid="ops-agent").sid == agent.sid
    assert {p.sid for p in gateway.participant_list(conversation_sid=conversation_sid)} == {
        customer.sid,
        courier.sid,
        agent.sid,
    }

    [seen] = gateway.participant_conversation_list(address=CUSTOMER_WA)
    assert (seen.conversation_sid, seen.conversation_state, seen.participant_sid) == (
        conversation_sid,
        "active",
        customer.sid,
    )
    assert seen.binding_proxy_address == BUSINESS_WA
    assert [c.participant_sid for c in gateway.participant_conversation_list(identity="ops-agent")] == [agent.sid]
    gateway.participant_delete(conversation_sid=conversation_sid, sid=agent.sid, webhook_enabled=True)


def _content_and_messages(conversation_sid):
    template = gateway.content_create(
        friendly_name="courier_invite",
        language="en",
        variables={"1": "Robert", "2": "Alicia"},
        types={"twilio/text": {"body": "Hello {{1}}, {{2}} is at your door."}},
    )
    assert template.sid.startswith("HX") and template.variables == {"1": "Robert", "2": "Alicia"}
    assert gateway.content_fetch(sid=template.sid).types == {
        "twilio/text": {"body": "Hello {{1}}, {{2}} is at your door."}
    }
    assert gateway.content_approval_fetch(sid=template.sid).status == "unsubmitted"
    submitted = gateway.content_approval_create(sid=template.sid, name="courier_invite", category="UTILITY")
    assert (submitted.status, submitted.category, submitted.content_type) == ("received", "UTILITY", "twilio/text")
    assert gateway.content_approval_fetch(sid=template.sid).name == "courier_invite"
    [listed] = gateway.content_and_approvals_list()
    assert listed.sid == template.sid and listed.approval.status == "received"
    assert [c.sid for c in gateway.content_list()] == [template.sid]

    text = gateway.message_create(
        conversation_sid=conversation_sid,
        author="system",
        body="Your order is on its way",
        attributes='{"local_id": "1"}',
        webhook_enabled=False,
    )
    assert (text.index, text.body, text.participant_sid) == (0, "Your order is on its way", None)
    invite = gateway.message_create(
        conversation_sid=conversation_sid, content_sid=template.sid, content_variables={"1": "Robert's", "2": 'A "b"'}
    )
    assert (invite.index, invite.content_sid, invite.body) == (1, template.sid, None)
    photo = gateway.message_create(conversation_sid=conversation_sid, author=CUSTOMER_WA, media_sid=ME, subject="Door")
    assert photo.media[0]["sid"] == ME and photo.participant_sid
    assert gateway.message_fetch(conversation_sid=conversation_sid, sid=text.sid).delivery["total"] == 2
    assert [m.index for m in gateway.message_list(conversation_sid=conversation_sid, order="desc")] == [2, 1, 0]
    receipts = list(gateway.receipt_list(conversation_sid=conversation_sid, message_sid=text.sid))
    assert len(receipts) == 2 and {r.status for r in receipts} == {"delivered"}
    assert all(r.sid.startswith("DY") and r.message_sid == text.sid for r in receipts)
    gateway.content_delete(sid=template.sid)
    assert not SimContent.objects.exists()


def _scoped_webhooks(conversation_sid):
    made = [
        gateway.conversation_webhook_create(
            conversation_sid=conversation_sid, target="webhook", url=HOOK, method="post", filters=["onMessageAdded"]
        ),
        gateway.conversation_webhook_create(
            conversation_sid=conversation_sid, target="studio", flow_sid=FW, replay_after=0, filters=["onMessageAdded"]
        ),
        gateway.conversation_webhook_create(
            conversation_sid=conversation_sid,
            target="trigger",
            url="https://ops.example.com/t",
            method="get",
            triggers=["help", "stop"],
        ),
    ]
    assert (made[0].url, made[0].method, made[0].filters) == (HOOK, "post", ["onMessageAdded"])
    assert (made[1].flow_sid, made[1].replay_after) == (FW, 0)
    assert (made[2].method, made[2].triggers) == ("get", ["help", "stop"])
    assert [w.sid for w in gateway.conversation_webhook_list(conversation_sid=conversation_sid)] == [
        w.sid for w in made
    ]
    gateway.conversation_webhook_delete(conversation_sid=conversation_sid, sid=made[0].sid)
    assert len(list(gateway.conversation_webhook_list(conversation_sid=conversation_sid))) == 2


def test_lists_page_through_the_simulator_itself(wire, simulator):
    made = {gateway.conversation_create(friendly_name=f"Order {n}").sid for n in range(7)}
    listed = [c.sid for c in gateway.conversation_list(page_size=3)]
    assert len(listed) == 7 and set(listed) == made
    pages = [body for operation, body in wire.bodies if operation == "ListConversation"]
    assert [len(p["conversations"]) for p in pages] == [3, 3, 1]
    assert pages[0]["meta"]["next_page_url"].startswith(f"{simulator.api_base}/conversations/v1/Conversations?")
    assert pages[-1]["meta"]["next_page_url"] is None
    assert wire.violations == []
