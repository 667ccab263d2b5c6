"""REST behaviour beyond the headline rules: the webhook header gate, delivery summaries,
validation of each resource's parameters, Content approvals."""

import pytest

from simulator import clock as sim_clock
from simulator.engine import owned
from simulator.models import SimAddressConfiguration, SimMessage, SimParticipant, SimReceipt
from simulator.sids import new_sid
from tests.simulator.rest_helpers import BUSINESS_WA, CUSTOMER_WA, add_binding, assert_error, new_conversation

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)

HOOK = "https://ops.example.com/hook"
ON = {"X-Twilio-Webhook-Enabled": "true"}
OFF = {"X-Twilio-Webhook-Enabled": "false"}


@pytest.fixture(autouse=True)
def recorded_engine(engine_calls):
    return engine_calls


def test_rest_changes_fire_events_only_with_the_webhook_header(api, recorded_engine):
    quiet = api.post("Conversations", {"FriendlyName": "quiet"}).json()["sid"]
    api.post("Conversations", {"FriendlyName": "off"}, headers=OFF)
    assert recorded_engine.events == []

    loud = api.post("Conversations", {"FriendlyName": "loud"}, headers=ON).json()["sid"]
    participant = api.post(f"Conversations/{loud}/Participants", {"Identity": "agent"}, headers=ON).json()["sid"]
    api.post(f"Conversations/{loud}/Messages", {"Body": "hi"}, headers=ON)
    api.post(f"Conversations/{loud}", {"State": "closed"}, headers=ON)
    api.delete(f"Conversations/{loud}/Participants/{participant}", headers=ON)
    api.delete(f"Conversations/{loud}", headers=ON)
    assert recorded_engine.names("conversation_event") == [
        "onConversationAdded",
        "onConversationUpdated",
        "onConversationRemoved",
    ]
    assert recorded_engine.names("participant_event") == ["onParticipantAdded", "onParticipantRemoved"]
    assert recorded_engine.names("message_event") == ["onMessageAdded"]
    assert recorded_engine.names("state_event") == [("active", "closed", "API")]

    # Phones get a message whatever the header says.
    api.post(f"Conversations/{quiet}/Messages", {"Body": "no header"})
    assert len(recorded_engine.delivered) == 2 and len(recorded_engine.names("message_event")) == 1


def test_message_delivery_summarises_its_receipts(api):
    conversation = new_conversation(api)
    message = api.post(f"Conversations/{conversation}/Messages", {"Body": "no recipients yet"}).json()
    assert message["delivery"] is None
    now = sim_clock.now()
    row = SimMessage.objects.get(sid=message["sid"])
    for n, status in enumerate(("read", "delivered", "failed")):
        participant = SimParticipant.objects.get(
            sid=add_binding(api, conversation, f"+1555000000{n}", "+14155550100").json()["sid"]
        )
        SimReceipt.objects.create(
            sid=new_sid("DY"),
            message=row,
            participant=participant,
            status=status,
            channel_message_sid=new_sid("SM"),
            error_code=63016 if status == "failed" else None,
            date_created=now,
            date_updated=now,
        )
    delivery = api.get(f"Conversations/{conversation}/Messages/{message['sid']}").json()["delivery"]
    assert delivery == {
        "total": 3,
        "sent": "some",
        "delivered": "some",
        "read": "some",
        "failed": "some",
        "undelivered": "none",
    }
    receipts = api.get(f"Conversations/{conversation}/Messages/{message['sid']}/Receipts").json()["delivery_receipts"]
    assert sorted(r["error_code"] for r in receipts) == [0, 0, 63016]
    one = api.get(f"Conversations/{conversation}/Messages/{message['sid']}/Receipts/{receipts[0]['sid']}").json()
    assert one["sid"] == receipts[0]["sid"] and one["message_sid"] == message["sid"]


def test_messages_are_numbered_from_zero_and_listed_in_either_order(api):
    conversation = new_conversation(api)
    for body in ("a", "b", "c"):
        api.post(f"Conversations/{conversation}/Messages", {"Body": body, "Author": "ops-agent"})
    listed = api.get(f"Conversations/{conversation}/Messages", params={"Order": "desc"}).json()["messages"]
    assert [(m["index"], m["body"], m["author"]) for m in listed] == [
        (2, "c", "ops-agent"),
        (1, "b", "ops-agent"),
        (0, "a", "ops-agent"),
    ]
    assert_error(api.get(f"Conversations/{conversation}/Messages", params={"Order": "DESC"}), 400, 20001)


@pytest.mark.parametrize(
    "data, code",
    [
        ({"Body": "x" * (32 * 1024 + 1)}, 50504),
        ({"Body": "hi", "Attributes": "{not json"}, 20001),
        ({"Body": "hi", "Attributes": '{"a": "' + "x" * 4096 + '"}'}, 20001),
        ({}, 20001),
        ({"ContentSid": "HX" + "0" * 32}, 21655),
        ({"Body": "hi", "MediaSid": "XX" + "0" * 32}, 20001),
    ],
)
def test_invalid_messages_are_refused(api, data, code):
    conversation = new_conversation(api)
    assert_error(api.post(f"Conversations/{conversation}/Messages", data), 400, code)
    assert api.post(f"Conversations/{conversation}/Messages", {"Body": "x" * 32 * 1024}).status_code == 201


def test_message_update_and_delete(api):
    conversation = new_conversation(api)
    sid = api.post(f"Conversations/{conversation}/Messages", {"Body": "typo"}).json()["sid"]
    updated = api.post(f"Conversations/{conversation}/Messages/{sid}", {"Body": "fixed", "Attributes": '{"e": 1}'})
    assert (updated.json()["body"], updated.json()["attributes"]) == ("fixed", '{"e": 1}')
    assert api.delete(f"Conversations/{conversation}/Messages/{sid}").status_code == 204
    assert_error(api.get(f"Conversations/{conversation}/Messages/{sid}"), 404, 20404)


def test_participant_updates_follow_the_binding_rules(api):
    first, second = new_conversation(api), new_conversation(api)
    add_binding(api, first)
    mine = add_binding(api, second, proxy="whatsapp:+14155550199").json()["sid"]
    moved = api.post(f"Conversations/{second}/Participants/{mine}", {"MessagingBinding.ProxyAddress": BUSINESS_WA})
    assert_error(moved, 409, 50416)
    assert_error(
        api.post(f"Conversations/{second}/Participants/{mine}", {"MessagingBinding.ProxyAddress": "+1415"}), 400, 50407
    )
    changed = api.post(f"Conversations/{second}/Participants/{mine}", {"Attributes": '{"role": "customer"}'}).json()
    assert changed["attributes"] == '{"role": "customer"}'
    assert changed["messaging_binding"] == {
        "type": "whatsapp",
        "address": CUSTOMER_WA,
        "proxy_address": "whatsapp:+14155550199",
    }


@pytest.mark.parametrize(
    "data",
    [
        {"Address": "whatsapp:+14155550100"},
        {"Type": "whatsapp"},
        {"Type": "WhatsApp", "Address": BUSINESS_WA},
        {"Type": "whatsapp", "Address": "+14155550100"},
        {"Type": "sms", "Address": "0800 FLOWERS"},
        {"Type": "whatsapp", "Address": BUSINESS_WA, "AutoCreation.Enabled": "yes"},
        {"Type": "whatsapp", "Address": BUSINESS_WA, "AutoCreation.Type": "flex"},
        {"Type": "whatsapp", "Address": BUSINESS_WA, "AutoCreation.WebhookMethod": "POST"},
        {"Type": "whatsapp", "Address": BUSINESS_WA, "AutoCreation.Enabled": "true", "AutoCreation.Type": "webhook"},
        {"Type": "whatsapp", "Address": BUSINESS_WA, "AutoCreation.Enabled": "true", "AutoCreation.Type": "studio"},
        {"Type": "whatsapp", "Address": BUSINESS_WA, "AutoCreation.WebhookFilters": "onNothing"},
    ],
)
def test_invalid_address_configurations_are_refused(api, data):
    assert_error(api.post("Configuration/Addresses", data), 400, 20001)
    assert not SimAddressConfiguration.objects.exists()


def test_address_configurations_are_unique_and_addressable_by_address(api):
    owned.own(BUSINESS_WA)  # Twilio configures only the account's own senders
    data = {
        "Type": "whatsapp",
        "Address": BUSINESS_WA,
        "AutoCreation.Enabled": "true",
        "AutoCreation.Type": "webhook",
        "AutoCreation.WebhookUrl": HOOK,
        "AutoCreation.WebhookMethod": "get",
    }
    made = api.post("Configuration/Addresses", data).json()
    assert made["auto_creation"]["webhook_method"] == "GET" and made["auto_creation"]["conversation_service_sid"]
    assert_error(api.post("Configuration/Addresses", data), 409, 20001)
    assert api.get(f"Configuration/Addresses/{BUSINESS_WA}").json()["sid"] == made["sid"]
    assert api.get("Configuration/Addresses", params={"Type": "sms"}).json()["address_configurations"] == []
    assert api.delete(f"Configuration/Addresses/{BUSINESS_WA}").status_code == 204
    assert_error(api.get(f"Configuration/Addresses/{made['sid']}"), 404, 20404)


@pytest.mark.parametrize(
    "data",
    [
        {"Configuration.Url": HOOK},
        {"Target": "flex"},
        {"Target": "webhook"},
        {"Target": "webhook", "Configuration.Url": HOOK, "Configuration.Method": "POST"},
        {"Target": "studio"},
        {"Target": "studio", "Configuration.FlowSid": "FW123"},
        {"Target": "trigger", "Configuration.Url": HOOK},
    ],
)
def test_invalid_scoped_webhooks_are_refused(api, data):
    conversation = new_conversation(api)
    assert_error(api.post(f"Conversations/{conversation}/Webhooks", data), 400, 20001)


def test_scoped_webhook_update_keeps_what_was_not_sent(api):
    conversation = new_conversation(api)
    made = api.post(
        f"Conversations/{conversation}/Webhooks",
        {
            "Target": "webhook",
            "Configuration.Url": HOOK,
            "Configuration.Filters": ["onMessageAdded", "onDeliveryUpdated"],
        },
    ).json()
    assert made["configuration"] == {"url": HOOK, "method": "POST", "filters": ["onMessageAdded", "onDeliveryUpdated"]}
    changed = api.post(f"Conversations/{conversation}/Webhooks/{made['sid']}", {"Configuration.Method": "get"}).json()
    assert changed["configuration"] == {**made["configuration"], "method": "GET"}
    assert api.get(f"Conversations/{conversation}/Webhooks/{made['sid']}").json() == changed


def test_account_webhooks_validate_method_filters_and_target(api):
    assert_error(api.post("Configuration/Webhooks", {"Method": "PUT"}), 400, 20001)
    assert_error(api.post("Configuration/Webhooks", {"Filters": "onEverything"}), 400, 20001)
    assert_error(api.post("Configuration/Webhooks", {"Target": "studio"}), 400, 20001)
    assert api.post("Configuration/Webhooks", {"Method": "get"}).json()["method"] == "GET"


def test_content_needs_language_and_known_types(api):
    assert_error(api.post("Content", product="content", json={"types": {"twilio/text": {"body": "x"}}}), 400, 20001)
    assert_error(
        api.post("Content", product="content", json={"language": "en", "types": {"twilio/fax": {}}}), 400, 20001
    )
    assert_error(
        api.post("Content", product="content", json={"language": "en", "types": {"twilio/text": {}}}), 400, 20001
    )
    made = api.post("Content", product="content", json={"language": "en", "types": {"twilio/text": {"body": "x"}}})
    assert made.status_code == 201
    sid = made.json()["sid"]
    updated = api.session.put(api.url(f"Content/{sid}", "content"), json={"types": {"twilio/text": {"body": "y"}}})
    assert (updated.json()["types"], updated.json()["language"]) == ({"twilio/text": {"body": "y"}}, "en")


def test_whatsapp_approval_is_requested_once_and_reported_both_ways(api):
    sid = api.post(
        "Content",
        product="content",
        json={
            "language": "en",
            "types": {
                "twilio/text": {"body": "Hi {{1}}"},
                "twilio/quick-reply": {"body": "Hi {{1}}", "actions": [{"title": "Yes", "id": "yes"}]},
            },
        },
    ).json()["sid"]
    path = f"Content/{sid}/ApprovalRequests/whatsapp"
    assert_error(api.post(path, product="content", json={"name": "courier_invite"}), 400, 20001)
    assert_error(api.post(path, product="content", json={"name": "Courier Invite", "category": "UTILITY"}), 400, 20001)
    made = api.post(path, product="content", json={"name": "courier_invite", "category": "utility"})
    assert made.status_code == 201
    assert made.json() == {
        "name": "courier_invite",
        "category": "UTILITY",
        "content_type": "twilio/quick-reply",
        "status": "received",
        "rejection_reason": "",
        "allow_category_change": True,
    }
    assert_error(api.post(path, product="content", json={"name": "courier_invite", "category": "UTILITY"}), 400, 92009)
    fetched = api.get(f"Content/{sid}/ApprovalRequests", product="content").json()
    assert fetched["whatsapp"] == {"type": "whatsapp", **made.json()}
    [listed] = api.get("ContentAndApprovals", product="content").json()["contents"]
    assert listed["approval_requests"] == made.json()


def test_a_method_a_resource_does_not_take_is_refused_in_twilios_shape(api):
    assert_error(api.delete("Conversations"), 405, 20004)
    assert_error(api.post("ParticipantConversations", {"Address": CUSTOMER_WA}), 405, 20004)
