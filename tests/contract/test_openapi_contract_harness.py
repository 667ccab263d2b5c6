"""The contract harness catches wire-level mistakes and answers on-contract.

The real twilio SDK (and plain `requests`) talk to the `twilio_contract` fixture; every
request is validated against vendor/twilio-oai/ with openapi-core.
"""

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from tests.contract.harness import twilio_contract_session

from .openapi_contract import example_response, operation_match, validate_request, validate_response
from .openapi_spec import iter_operations, spec_dir

ACCOUNT = "AC" + "0" * 32
AUTH = (ACCOUNT, "token")
CONVERSATIONS = "https://conversations.twilio.com/v1"
CH = "CH" + "0" * 32
HX = "HX" + "0" * 32


@pytest.fixture
def client():
    return Client(ACCOUNT, "token")


def violations(contract):
    """The single failure the harness collected, as text (and none left for teardown)."""
    failures = contract.pop_failures()
    assert len(failures) == 1, failures
    return failures[0]


def raw(method, url, **kwargs):
    return requests.request(method, url, auth=AUTH, **kwargs)


def test_specs_are_found_beside_the_repository():
    assert (spec_dir() / "twilio_conversations_v1.json").is_file()
    assert (spec_dir() / "twilio_content_v1.json").is_file()


# --- the real SDK, valid calls -------------------------------------------------------------


def test_sdk_conversation_create_passes_and_gets_the_example(twilio_contract, client):
    conversation = client.conversations.v1.conversations.create(
        friendly_name="x",
        unique_name="y",
        attributes='{"a":1}',
        timers_inactive="PT5M",
        x_twilio_webhook_enabled="true",
    )
    twilio_contract.assert_clean()
    assert conversation.sid == "CH" + "a" * 32  # the spec example's sid
    (call,) = twilio_contract.calls
    assert call.operation_id == "CreateConversation" and call.method == "POST"
    assert call.data == {
        "FriendlyName": ["x"],
        "UniqueName": ["y"],
        "Attributes": ['{"a":1}'],
        "Timers.Inactive": ["PT5M"],
    }


def test_sdk_address_configuration_with_array_bool_and_int_passes(twilio_contract, client):
    client.conversations.v1.address_configurations.create(
        type="whatsapp",
        address="whatsapp:+15005550006",
        auto_creation_enabled=True,
        auto_creation_type="webhook",
        auto_creation_webhook_url="https://example.com/hook",
        auto_creation_webhook_method="post",
        auto_creation_webhook_filters=["onMessageAdded", "onParticipantAdded"],
        auto_creation_studio_retry_count=3,
    )
    twilio_contract.assert_clean()
    data = twilio_contract.calls[0].data
    assert data["AutoCreation.WebhookFilters"] == ["onMessageAdded", "onParticipantAdded"]  # repeated keys
    assert data["AutoCreation.Enabled"] == ["true"] and data["AutoCreation.StudioRetryCount"] == ["3"]


def test_sdk_scoped_webhook_method_enum_is_lowercase(twilio_contract, client):
    webhooks = client.conversations.v1.conversations(CH).webhooks
    webhooks.create(
        target="webhook",
        configuration_url="https://example.com/h",
        configuration_method="get",
        configuration_filters=["onMessageAdded", "onConversationUpdated"],
    )
    twilio_contract.assert_clean()

    with pytest.raises(TwilioRestException):  # the harness answers 400, so the SDK raises
        webhooks.create(target="webhook", configuration_url="https://example.com/h", configuration_method="GET")
    assert "body[Configuration.Method]: 'GET' is not one of ['get', 'post']" in violations(twilio_contract)


def test_sdk_list_paginates_back_to_the_harness(twilio_contract, client):
    client.conversations.base_url = "http://127.0.0.1:9/simulator/conversations"  # routed, never sent
    conversations = client.conversations.v1.conversations.list(limit=5)
    twilio_contract.assert_clean()
    assert [c.sid for c in conversations] == ["CH" + "a" * 32]
    assert twilio_contract.calls[0].data == {"PageSize": ["5"]}
    assert twilio_contract.calls[0].url.startswith("http://127.0.0.1:9/simulator/conversations/v1/")


def test_sdk_follows_next_page_url_through_the_harness(twilio_contract, client):
    base = "http://127.0.0.1:9/simulator/conversations"
    client.conversations.base_url = base
    first = validate_request(requests.Request("GET", f"{base}/v1/Conversations?PageSize=1", auth=AUTH).prepare())
    _, page = example_response(first)
    page["meta"]["next_page_url"] = f"{base}/v1/Conversations?PageSize=1&Page=1&PageToken=PT1"
    twilio_contract.reply_next("ListConversation", status=200, json=page)
    assert len(list(client.conversations.v1.conversations.stream(page_size=1))) == 2
    twilio_contract.assert_clean()
    assert [c.data for c in twilio_contract.calls] == [
        {"PageSize": ["1"]},
        {"PageSize": ["1"], "Page": ["1"], "PageToken": ["PT1"]},
    ]
    assert all(c.url.startswith(base) for c in twilio_contract.calls)


def test_list_example_meta_points_at_the_requesting_base():
    match = validate_request(
        requests.Request("GET", "http://127.0.0.1:9/sim/conversations/v1/Conversations?PageSize=5", auth=AUTH).prepare()
    )
    status, body = example_response(match)
    assert status == 200 and body["meta"]["next_page_url"] is None
    assert body["meta"]["first_page_url"].startswith("http://127.0.0.1:9/sim/conversations/v1/Conversations?")
    assert body["meta"]["key"] == "conversations"
    _, synthesized = example_response(match, synthesize=True)  # schema-built meta has a next_page_url
    assert synthesized["meta"]["key"] == "conversations" and synthesized["meta"]["next_page_url"] is None


def test_sdk_delete_gets_204(twilio_contract, client):
    assert client.conversations.v1.conversations(CH).delete() is True
    twilio_contract.assert_clean()
    assert twilio_contract.operation_ids == ["DeleteConversation"]


def test_sdk_content_create_and_approval_pass(twilio_contract, client):
    content = client.content.v1.contents.create(
        ContentList.ContentCreateRequest(
            {
                "friendly_name": "order_ready",
                "language": "en",
                "variables": {"1": "Ana"},
                "types": {"twilio/text": {"body": "Hi {{1}}, your order is ready"}},
            }
        )
    )
    approval = client.content.v1.contents(HX).approval_create.create(
        ApprovalCreateList.ContentApprovalRequest({"name": "n", "category": "UTILITY"})
    )
    twilio_contract.assert_clean()
    assert content.sid == "HX" + "a" * 32 and approval.status == "unsubmitted"
    create, approve = twilio_contract.calls
    assert create.data == {
        "friendly_name": "order_ready",
        "language": "en",
        "variables": {"1": "Ana"},
        "types": {"twilio/text": {"body": "Hi {{1}}, your order is ready"}},
    }
    # 9.13 also knows send_ttl_seconds / bid_amount (newer than spec 2.6.7); None values are stripped
    assert approve.data == {"name": "n", "category": "UTILITY"}


def test_sdk_fields_newer_than_the_spec_are_caught(twilio_contract, client):
    with pytest.raises(TwilioRestException):
        client.content.v1.contents(HX).approval_create.create(
            ApprovalCreateList.ContentApprovalRequest({"name": "n", "category": "UTILITY", "send_ttl_seconds": 600})
        )
    assert "Additional properties are not allowed ('send_ttl_seconds' was unexpected)" in violations(twilio_contract)


def test_queued_reply_is_returned_once(twilio_contract, client):
    twilio_contract.reply_next(
        "CreateConversation",
        status=429,
        headers={"Retry-After": "2"},
        json={
            "code": 20429,
            "message": "Too Many Requests",
            "more_info": "https://www.twilio.com/docs/errors/20429",
            "status": 429,
        },
    )
    with pytest.raises(TwilioRestException) as info:
        client.conversations.v1.conversations.create(friendly_name="x")
    assert info.value.status == 429 and info.value.code == 20429
    assert client.conversations.v1.conversations.create(friendly_name="x").sid.startswith("CH")
    twilio_contract.assert_clean()


# --- mistakes on the wire must fail ------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"FriendlyNam": "x"}, "body[FriendlyNam]: unknown form field"),
        ({"State": "open"}, "body[State]: 'open' is not one of ['initializing', 'inactive', 'active', 'closed']"),
        ({"MessagingServiceSid": "MG123"}, "body[MessagingServiceSid]: 'MG123' does not match"),
        ({"FriendlyName": ["a", "b"]}, "body[FriendlyName]: sent 2 times but is not an array"),
        ({"DateCreated": "yesterday"}, "body[DateCreated]: 'yesterday' is not a 'date-time'"),
    ],
)
def test_raw_conversation_create_mistakes_fail(twilio_contract, data, expected):
    assert raw("POST", f"{CONVERSATIONS}/Conversations", data=data).status_code == 400
    assert expected in violations(twilio_contract)


def test_missing_required_form_field_fails(twilio_contract):
    raw("POST", f"{CONVERSATIONS}/Configuration/Addresses", data={"Type": "whatsapp"})
    assert "'Address' is a required property" in violations(twilio_contract)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("yes", "body[AutoCreation.Enabled]: boolean must be 'true' or 'false', got 'yes'"),
        ("True", "body[AutoCreation.Enabled]: boolean must be 'true' or 'false', got 'True'"),
    ],
)
def test_form_booleans_must_be_true_or_false(twilio_contract, value, expected):
    raw(
        "POST",
        f"{CONVERSATIONS}/Configuration/Addresses",
        data={"Type": "sms", "Address": "+15005550006", "AutoCreation.Enabled": value},
    )
    assert expected in violations(twilio_contract)


def test_form_integers_must_be_integers(twilio_contract):
    raw(
        "POST",
        f"{CONVERSATIONS}/Configuration/Addresses",
        data={"Type": "sms", "Address": "+15005550006", "AutoCreation.StudioRetryCount": "three"},
    )
    assert "AutoCreation.StudioRetryCount" in violations(twilio_contract)


def test_message_content_sid_pattern_fails(twilio_contract):
    raw("POST", f"{CONVERSATIONS}/Conversations/{CH}/Messages", data={"ContentSid": "HXnotvalid"})
    assert "body[ContentSid]: 'HXnotvalid' does not match '^HX[0-9a-fA-F]{32}$'" in violations(twilio_contract)


def test_bad_webhook_enabled_header_fails(twilio_contract):
    raw(
        "POST",
        f"{CONVERSATIONS}/Conversations",
        data={"FriendlyName": "x"},
        headers={"X-Twilio-Webhook-Enabled": "yes"},
    )
    assert "header[X-Twilio-Webhook-Enabled]: 'yes' is not one of ['true', 'false']" in violations(twilio_contract)


def test_undeclared_twilio_header_fails(twilio_contract):
    raw("GET", f"{CONVERSATIONS}/Conversations", headers={"X-Twilio-Webhook-Enabled": "true"})
    assert "header[X-Twilio-Webhook-Enabled]: not declared for GET /v1/Conversations" in violations(twilio_contract)


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", f"{CONVERSATIONS}/Conversationz"),
        ("PATCH", f"{CONVERSATIONS}/Conversations/{CH}"),
        ("GET", "https://api.twilio.com/2010-04-01/Accounts.json"),
    ],
)
def test_unknown_path_or_method_fails(twilio_contract, method, url):
    assert raw(method, url).status_code == 400
    text = violations(twilio_contract)
    assert "no operation in the" in text or "neither a Twilio" in text
    assert twilio_contract.calls[0].operation_id is None


def test_unknown_query_parameter_fails(twilio_contract):
    raw("GET", f"{CONVERSATIONS}/Conversations", params={"PageSize": 5, "Stat": "active"})
    assert "query[Stat]: unknown query parameter" in violations(twilio_contract)


def test_page_size_over_the_maximum_fails(twilio_contract):
    raw("GET", f"{CONVERSATIONS}/Conversations", params={"PageSize": 500})
    assert "query[PageSize]: 500 is greater than the maximum of 100" in violations(twilio_contract)


def test_paging_parameters_are_declared(twilio_contract):
    raw("GET", f"{CONVERSATIONS}/Conversations", params={"PageSize": 50, "Page": 1, "PageToken": "PT1"})
    twilio_contract.assert_clean()


def test_missing_basic_auth_fails(twilio_contract):
    requests.get(f"{CONVERSATIONS}/Conversations")
    assert "Security" in violations(twilio_contract)


def test_body_on_an_operation_without_one_fails(twilio_contract):
    raw("DELETE", f"{CONVERSATIONS}/Conversations/{CH}", data={"FriendlyName": "x"})
    assert "takes no request body" in violations(twilio_contract)


def test_content_json_unknown_keys_fail(twilio_contract):
    url = "https://content.twilio.com/v1/Content"
    raw("POST", url, json={"language": "en", "types": {"twilio/text": {"body": "hi"}}, "langauge": "en"})
    assert "Additional properties are not allowed ('langauge' was unexpected)" in violations(twilio_contract)
    raw("POST", url, json={"language": "en", "types": {"twilio/txt": {"body": "hi"}}})
    assert "body[types]: Additional properties are not allowed ('twilio/txt'" in violations(twilio_contract)
    raw("POST", url, json={"types": {"twilio/text": {"body": "hi"}}})
    assert "'language' is a required property" in violations(twilio_contract)


def test_content_json_sent_as_form_fails(twilio_contract):
    raw("POST", "https://content.twilio.com/v1/Content", data={"language": "en"})
    assert "mimetype not found: application/x-www-form-urlencoded" in violations(twilio_contract)


# --- routed URLs ({TWILIO_API_BASE_URL}/<product>/v1/...) -----------------------------------


def test_routed_url_validates_like_the_twilio_host(twilio_contract):
    routed = "http://127.0.0.1:9/simulator/conversations/v1/Conversations"
    assert raw("POST", routed, data={"FriendlyName": "x"}).status_code == 201
    twilio_contract.assert_clean()
    raw("POST", routed, data={"FriendlyNam": "x"})
    assert "body[FriendlyNam]: unknown form field" in violations(twilio_contract)
    assert raw("GET", f"http://127.0.0.1:9/simulator/content/v1/Content/{HX}").json()["sid"].startswith("HX")
    twilio_contract.assert_clean()


def test_validate_request_raises_with_every_error():
    prepared = requests.Request(
        "POST", f"{CONVERSATIONS}/Conversations", auth=AUTH, data={"FriendlyNam": "x", "State": "open"}
    ).prepare()
    with pytest.raises(AssertionError) as info:
        validate_request(prepared)
    assert "body[FriendlyNam]" in str(info.value) and "body[State]" in str(info.value)


def test_session_exit_reraises_uncollected_failures_and_unused_replies():
    with pytest.raises(AssertionError, match=r"body\[FriendlyNam\]: unknown form field"), twilio_contract_session():
        raw("POST", f"{CONVERSATIONS}/Conversations", data={"FriendlyNam": "x"})
    with (
        pytest.raises(AssertionError, match="never used: {'CreateConversation': 1}"),
        twilio_contract_session() as contract,
    ):
        contract.reply_next("CreateConversation", status=500)


# --- every answer the harness can give is on-contract --------------------------------------

ALL_OPERATIONS = [
    (product, method, template)
    for product in ("conversations", "content")
    for method, template, _ in iter_operations(product)
]


@pytest.mark.parametrize(
    "product, method, template", ALL_OPERATIONS, ids=[f"{p}:{m}:{t}" for p, m, t in ALL_OPERATIONS]
)
@pytest.mark.parametrize("synthesize", [False, True], ids=["example", "synthesized"])
def test_every_example_response_is_valid(product, method, template, synthesize):
    match = operation_match(product, method, template)
    status, body = example_response(match, synthesize=synthesize)
    assert (status == 204) == (body is None) == (method == "DELETE")
    validate_response(match, status, body)  # example_response checks this too; keep the test self-contained
