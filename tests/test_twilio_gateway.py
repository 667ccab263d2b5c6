"""The gateway over HTTP: routing, error translation, timeouts, records.

Requests are intercepted at the `requests` transport (the `responses`
library), so the real twilio SDK builds and sends them; nothing leaves the
machine.
"""

import re

import pytest
import requests
import responses

from conversations_ops.twilio import gateway

CH = "CH" + "a" * 32
ERROR_429 = {
    "code": 20429,
    "message": "Too Many Requests",
    "more_info": "https://www.twilio.com/docs/errors/20429",
    "status": 429,
}


def conversation_body(**overrides):
    body = {
        "sid": CH,
        "account_sid": "AC" + "a" * 32,
        "chat_service_sid": "IS" + "a" * 32,
        "messaging_service_sid": "MG" + "a" * 32,
        "friendly_name": "Order 42",
        "unique_name": "order-42",
        "attributes": '{"order": 42}',
        "state": "active",
        "date_created": "2026-01-01T00:00:00Z",
        "date_updated": "2026-01-01T00:00:05Z",
        "timers": {"date_inactive": "2026-01-01T00:05:00Z", "date_closed": None},
        "url": f"https://conversations.twilio.com/v1/Conversations/{CH}",
        "links": {},
        "bindings": None,
    }
    return {**body, **overrides}


@pytest.fixture
def http():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def routed(settings):
    settings.TWILIO_API_BASE_URL = "http://sim.invalid/simulator"
    return settings.TWILIO_API_BASE_URL


def test_calls_go_to_the_base_url_with_the_product_as_first_segment(http, routed):
    http.post(f"{routed}/conversations/v1/Conversations", json=conversation_body(), status=201)
    remote = gateway.conversation_create(friendly_name="Order 42")
    assert remote.sid == CH
    assert http.calls[0].request.url == f"{routed}/conversations/v1/Conversations"


def test_content_calls_are_routed_under_content(http, routed):
    http.get(
        f"{routed}/content/v1/Content/HX{'b' * 32}/ApprovalRequests",
        json={
            "sid": "HX" + "b" * 32,
            "account_sid": "AC" + "a" * 32,
            "url": "x",
            "whatsapp": {"name": "n", "category": "UTILITY", "status": "approved"},
        },
    )
    approval = gateway.content_approval_fetch(sid="HX" + "b" * 32)
    assert approval.status == "approved" and approval.category == "UTILITY"


def test_pagination_links_pointing_at_twilio_are_routed_too(http, routed):
    page = {
        "conversations": [conversation_body()],
        "meta": {
            "page": 0,
            "page_size": 1,
            "key": "conversations",
            "url": "u",
            "first_page_url": "f",
            "previous_page_url": None,
            "next_page_url": "https://conversations.twilio.com/v1/Conversations?PageSize=1&Page=1&PageToken=PT1",
        },
    }
    last = {
        "conversations": [conversation_body(sid="CH" + "c" * 32)],
        "meta": {**page["meta"], "page": 1, "next_page_url": None},
    }
    http.get(re.compile(rf"{re.escape(routed)}/conversations/v1/Conversations\?PageSize=1$"), json=page)
    http.get(re.compile(rf"{re.escape(routed)}/conversations/v1/Conversations\?.*PageToken=PT1"), json=last)
    sids = [c.sid for c in gateway.conversation_list(page_size=1)]
    assert sids == [CH, "CH" + "c" * 32]
    assert all(call.request.url.startswith(routed) for call in http.calls)


def test_without_a_base_url_calls_go_to_twilio(http, settings):
    settings.TWILIO_API_BASE_URL = ""
    http.get(f"https://conversations.twilio.com/v1/Conversations/{CH}", json=conversation_body())
    assert gateway.conversation_fetch(sid=CH).unique_name == "order-42"


def test_basic_auth_uses_the_configured_account(http, routed, settings):
    http.get(f"{routed}/conversations/v1/Conversations/{CH}", json=conversation_body())
    gateway.conversation_fetch(sid=CH)
    import base64

    expected = base64.b64encode(f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
    assert http.calls[0].request.headers["Authorization"] == f"Basic {expected}"


def test_a_record_carries_what_twilio_said(http, routed):
    http.get(f"{routed}/conversations/v1/Conversations/{CH}", json=conversation_body())
    remote = gateway.conversation_fetch(sid=CH)
    assert (remote.friendly_name, remote.attributes, remote.state) == ("Order 42", '{"order": 42}', "active")
    assert remote.date_inactive == "2026-01-01T00:05:00Z" and remote.date_updated.second == 5


def test_429_becomes_a_retryable_gateway_error_with_retry_after(http, routed):
    http.post(f"{routed}/conversations/v1/Conversations", json=ERROR_429, status=429, headers={"Retry-After": "2"})
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.conversation_create(friendly_name="x")
    err = caught.value
    assert (err.status, err.code, err.retry_after) == (429, 20429, 2.0)
    assert err.retryable and not err.ambiguous
    assert err.message == "Too Many Requests"
    assert err.more_info == "https://www.twilio.com/docs/errors/20429"


def test_a_4xx_is_not_retryable_and_keeps_twilios_code(http, routed):
    body = {
        "code": 50416,
        "message": "A binding for this participant and proxy address already exists",
        "more_info": "https://www.twilio.com/docs/errors/50416",
        "status": 409,
    }
    http.post(f"{routed}/conversations/v1/Conversations/{CH}/Participants", json=body, status=409)
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.participant_create(
            conversation_sid=CH,
            messaging_binding_address="whatsapp:+14155550100",
            messaging_binding_proxy_address="whatsapp:+14155550111",
        )
    assert (caught.value.status, caught.value.code) == (409, 50416)
    assert not caught.value.retryable
    assert "binding" in caught.value.message


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retryable_and_ambiguous(http, routed, status):
    http.post(f"{routed}/conversations/v1/Conversations", body="upstream trouble", status=status)
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.conversation_create()
    assert caught.value.status == status and caught.value.retryable and caught.value.ambiguous


def test_a_timeout_is_retryable_and_ambiguous(http, routed):
    http.post(f"{routed}/conversations/v1/Conversations", body=requests.ReadTimeout("slow"))
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.conversation_create()
    assert (caught.value.status, caught.value.kind) == (None, "timeout")
    assert caught.value.retryable and caught.value.ambiguous


def test_a_refused_connection_is_a_connection_error(http, routed):
    http.get(f"{routed}/conversations/v1/Conversations/{CH}", body=requests.ConnectionError("refused"))
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.conversation_fetch(sid=CH)
    assert caught.value.kind == "connection" and caught.value.retryable


def test_errors_while_paging_are_translated(http, routed):
    http.get(re.compile(rf"{re.escape(routed)}/conversations/v1/Conversations.*"), json=ERROR_429, status=429)
    with pytest.raises(gateway.GatewayError):
        list(gateway.conversation_list())


def test_the_http_timeout_comes_from_settings(settings):
    settings.TWILIO_HTTP_TIMEOUT = 3.5
    assert gateway._client().http_client.timeout == 3.5


def test_the_client_is_rebuilt_when_credentials_change(settings):
    first = gateway._client()
    assert gateway._client() is first
    settings.TWILIO_AUTH_TOKEN = "another-token"
    assert gateway._client() is not first


def test_content_variables_are_sent_as_json_text(http, routed):
    message = {
        "sid": "IM" + "d" * 32,
        "account_sid": "AC" + "a" * 32,
        "conversation_sid": CH,
        "index": 0,
        "author": "system",
        "body": None,
        "media": None,
        "attributes": "{}",
        "participant_sid": None,
        "date_created": None,
        "date_updated": None,
        "url": "u",
        "delivery": None,
        "links": {},
        "content_sid": "HX" + "b" * 32,
    }
    http.post(f"{routed}/conversations/v1/Conversations/{CH}/Messages", json=message, status=201)
    gateway.message_create(
        conversation_sid=CH, content_sid="HX" + "b" * 32, content_variables={"1": 'Robert\'s "door"', "2": "Alicia"}
    )
    from urllib.parse import parse_qs

    sent = parse_qs(http.calls[0].request.body)
    import json

    assert json.loads(sent["ContentVariables"][0]) == {"1": 'Robert\'s "door"', "2": "Alicia"}


@pytest.mark.parametrize("enabled, header", [(True, "true"), (False, "false"), (None, None)])
def test_deletes_carry_the_webhook_header_the_sdk_would_drop(http, routed, enabled, header):
    http.delete(f"{routed}/conversations/v1/Conversations/{CH}", status=204)
    http.delete(f"{routed}/conversations/v1/Conversations/{CH}/Participants/MB{'e' * 32}", status=204)
    gateway.conversation_delete(sid=CH, webhook_enabled=enabled)
    gateway.participant_delete(conversation_sid=CH, sid="MB" + "e" * 32, webhook_enabled=enabled)
    assert [call.request.headers.get("X-Twilio-Webhook-Enabled") for call in http.calls] == [header, header]


def test_a_failed_delete_is_still_a_gateway_error(http, routed):
    http.delete(
        f"{routed}/conversations/v1/Conversations/{CH}",
        json={"code": 20404, "message": "not found", "more_info": "", "status": 404},
        status=404,
    )
    with pytest.raises(gateway.GatewayError) as caught:
        gateway.conversation_delete(sid=CH)
    assert caught.value.code == 20404
