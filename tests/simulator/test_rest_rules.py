"""The rules that bite in production, as the simulator's REST API enforces them (raw HTTP)."""

import pytest
import requests

from simulator import clock as sim_clock
from tests.simulator.rest_helpers import (
    BUSINESS_SMS,
    BUSINESS_WA,
    COURIER_SMS,
    CUSTOMER_WA,
    add_binding,
    assert_error,
    new_conversation,
)

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)


@pytest.fixture(autouse=True)
def recorded_engine(engine_calls):
    return engine_calls


@pytest.mark.parametrize("auth", [None, ("AC" + "0" * 32, "wrong-token"), "right-sid-wrong-token"])
def test_requests_without_the_accounts_credentials_are_refused(simulator, settings, auth):
    if auth == "right-sid-wrong-token":
        auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN + "x")
    response = requests.get(f"{simulator.api_base}/conversations/v1/Conversations", auth=auth, timeout=10)
    assert_error(response, 401, 20003)


def test_the_right_credentials_are_accepted(api):
    assert api.get("Conversations").status_code == 200
    assert api.get("Content", product="content").status_code == 200


@pytest.mark.parametrize(
    "path, product",
    [
        ("Conversations/CH" + "0" * 32, "conversations"),
        ("Conversations/no-such-unique-name/Messages", "conversations"),
        ("Configuration/Addresses/whatsapp:+19999999999", "conversations"),
        ("Services/IS" + "0" * 32 + "/Conversations", "conversations"),
        ("Content/HX" + "0" * 32, "content"),
        ("Content/not-a-sid/ApprovalRequests", "content"),
    ],
)
def test_unknown_resources_answer_twilios_404(api, path, product):
    body = assert_error(api.get(path, product=product), 404, 20404)
    assert path.split("/")[0] in body["message"]


def test_a_message_sid_of_the_wrong_kind_is_not_found(api):
    conversation = new_conversation(api)
    assert_error(api.get(f"Conversations/{conversation}/Messages/MB{'0' * 32}"), 404, 20404)


def test_an_address_proxy_pair_belongs_to_one_open_conversation_until_it_closes(api):
    first, second = new_conversation(api), new_conversation(api)
    assert add_binding(api, first).status_code == 201
    body = assert_error(add_binding(api, second), 409, 50416)
    assert first in body["message"]
    # The same customer behind another business number is another pair: allowed.
    assert add_binding(api, second, proxy="whatsapp:+14155550199").status_code == 201

    closed = api.post(f"Conversations/{first}", {"State": "closed"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert add_binding(api, second).status_code == 201
    states = {
        c["conversation_sid"]: c["conversation_state"]
        for c in api.get("ParticipantConversations", params={"Address": CUSTOMER_WA}).json()["conversations"]
    }
    assert states == {first: "closed", second: "active"}


def test_deleting_a_conversation_frees_its_pairs_and_takes_everything_with_it(api):
    first, second = new_conversation(api), new_conversation(api)
    participant = add_binding(api, first).json()["sid"]
    api.post(f"Conversations/{first}/Messages", {"Body": "hi"})
    api.post(f"Conversations/{first}/Webhooks", {"Target": "studio", "Configuration.FlowSid": "FW" + "1" * 32})
    assert api.delete(f"Conversations/{first}").status_code == 204
    assert_error(api.get(f"Conversations/{first}/Participants/{participant}"), 404, 20404)
    assert api.get("ParticipantConversations", params={"Address": CUSTOMER_WA}).json()["conversations"] == []
    assert add_binding(api, second).status_code == 201


def test_the_same_chat_identity_cannot_join_twice(api):
    conversation = new_conversation(api)
    assert api.post(f"Conversations/{conversation}/Participants", {"Identity": "ops-agent"}).status_code == 201
    assert_error(api.post(f"Conversations/{conversation}/Participants", {"Identity": "ops-agent"}), 409, 50433)


@pytest.mark.parametrize(
    "address, proxy",
    [
        ("whatsapp:12345", BUSINESS_WA),
        ("not-a-number", BUSINESS_SMS),
        ("+15017122661", None),
        (CUSTOMER_WA, BUSINESS_SMS),
        (COURIER_SMS, "whatsapp:+1"),
    ],
)
def test_a_bad_messaging_binding_is_refused(api, address, proxy):
    conversation = new_conversation(api)
    assert_error(add_binding(api, conversation, address, proxy), 400, 50407)


def test_a_conversation_takes_at_most_five_scoped_webhooks(api):
    conversation = new_conversation(api)
    hook = {"Target": "webhook", "Configuration.Url": "https://ops.example.com/hook", "Configuration.Method": "post"}
    for _ in range(5):
        assert api.post(f"Conversations/{conversation}/Webhooks", hook).status_code == 201
    assert_error(api.post(f"Conversations/{conversation}/Webhooks", hook), 400, 50361)


@pytest.mark.parametrize(
    "path, size",
    [
        ("Conversations", 101),
        ("Configuration/Addresses", 51),
        ("ParticipantConversations?Address=%2B1555", 51),
    ],
)
def test_a_page_size_over_the_lists_maximum_is_refused(api, path, size):
    separator = "&" if "?" in path else "?"
    assert_error(api.get(f"{path}{separator}PageSize={size}"), 400, 20001)
    assert api.get(f"{path}{separator}PageSize={size - 1}").status_code == 200


def test_page_size_limits_of_nested_and_content_lists(api):
    conversation = new_conversation(api)
    assert_error(api.get(f"Conversations/{conversation}/Webhooks", params={"PageSize": 6}), 400, 20001)
    assert_error(api.get(f"Conversations/{conversation}/Messages", params={"PageSize": 101}), 400, 20001)
    assert_error(api.get("Content", product="content", params={"PageSize": 1001}), 400, 20001)
    assert api.get("ContentAndApprovals", product="content", params={"PageSize": 1000}).status_code == 200


def test_timers_move_the_conversation_through_its_states_on_the_simulator_clock(api, recorded_engine):
    conversation = new_conversation(api, **{"State": "active", "Timers.Inactive": "PT5M", "Timers.Closed": "PT10M"})
    timers = api.get(f"Conversations/{conversation}").json()["timers"]
    assert set(timers) == {"date_inactive", "date_closed"}

    sim_clock.advance(6 * 60)
    assert api.get(f"Conversations/{conversation}").json()["state"] == "inactive"
    assert [c["sid"] for c in api.get("Conversations", params={"State": "inactive"}).json()["conversations"]] == [
        conversation
    ]

    assert api.post(f"Conversations/{conversation}/Messages", {"Body": "Still there?"}).status_code == 201
    assert api.get(f"Conversations/{conversation}").json()["state"] == "active"

    sim_clock.advance(11 * 60)  # ten minutes after the last message
    assert api.get(f"Conversations/{conversation}").json()["state"] == "closed"
    assert recorded_engine.names("state_event") == [
        ("active", "inactive", "TIMER"),
        ("inactive", "active", "EVENT"),
        ("active", "closed", "TIMER"),
    ]
    assert_error(api.post(f"Conversations/{conversation}/Messages", {"Body": "Hello?"}), 400, 50377)
    assert_error(api.post(f"Conversations/{conversation}", {"FriendlyName": "reopen"}), 400, 50377)


@pytest.mark.parametrize(
    "timers, code",
    [
        ({"Timers.Inactive": "PT30S"}, 50375),
        ({"Timers.Closed": "PT5M"}, 50376),
        ({"Timers.Inactive": "5 minutes"}, 50379),
        ({"Timers.Closed": "600"}, 50380),
    ],
)
def test_timers_below_twilios_minimums_or_not_iso_8601_are_refused(api, timers, code):
    assert_error(api.post("Conversations", timers), 400, code)


def test_a_unique_name_is_unique(api):
    first = new_conversation(api, UniqueName="order-a123")
    assert_error(api.post("Conversations", {"UniqueName": "order-a123"}), 409, 50353)
    second = new_conversation(api, UniqueName="order-b456")
    assert_error(api.post(f"Conversations/{second}", {"UniqueName": "order-a123"}), 409, 50353)
    assert api.get("Conversations/order-a123").json()["sid"] == first
