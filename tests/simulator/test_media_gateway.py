"""The gateway's media functions, which no OpenAPI spec covers (tests/contract's OUTSIDE_THE_SPECS):
held to Twilio's documentation on the wire, then run against the live simulator."""

import base64

import pytest
import requests
import responses

from conversations_ops.twilio import gateway
from simulator.engine import store
from tests.simulator.engine_helpers import BUSINESS_WA, CUSTOMER_WA, control

IS = "IS" + "a" * 32
ME = "ME" + "b" * 32
ACCOUNT = "AC" + "c" * 32
TWILIO_MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{'d' * 32}/Media/{ME}"
MCS_ANSWER = {
    "sid": ME,
    "service_sid": IS,
    "date_created": "2026-01-01T00:00:00Z",
    "channel_sid": None,
    "author": "system",
    "size": 3,
    "content_type": "image/png",
    "filename": "door.png",
    "links": {"content": f"/v1/Services/{IS}/Media/{ME}/Content"},
}


@pytest.fixture
def http():
    with responses.RequestsMock() as mock:
        yield mock


def basic(settings) -> str:
    token = f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()
    return "Basic " + base64.b64encode(token).decode()


def test_upload_is_the_documented_raw_post_to_mcs(http, settings):
    settings.TWILIO_API_BASE_URL = ""
    http.post(f"https://mcs.us1.twilio.com/v1/Services/{IS}/Media", json=MCS_ANSWER, status=201)
    sid = gateway.media_upload(chat_service_sid=IS, content_type="image/png", filename='do"or.png', data=b"png")
    assert sid == ME
    sent = http.calls[0].request
    assert sent.body == b"png" and sent.headers["Content-Type"] == "image/png"
    assert sent.headers["Content-Disposition"] == 'attachment; filename="door.png"'
    assert sent.headers["Authorization"] == basic(settings)


def test_upload_is_routed_under_mcs_with_a_base_url(http, settings):
    settings.TWILIO_API_BASE_URL = "http://sim.invalid/simulator"
    http.post(f"http://sim.invalid/simulator/mcs/v1/Services/{IS}/Media", json=MCS_ANSWER, status=201)
    assert gateway.media_upload(chat_service_sid=IS, content_type="", filename="x", data=b"1") == ME
    assert http.calls[0].request.headers["Content-Type"] == "application/octet-stream"


def test_upload_errors_are_gateway_errors(http, settings):
    settings.TWILIO_API_BASE_URL = ""
    url = f"https://mcs.us1.twilio.com/v1/Services/{IS}/Media"
    http.post(url, json={"code": 20404, "message": "Service not found", "status": 404}, status=404)
    with pytest.raises(gateway.GatewayError) as failed:
        gateway.media_upload(chat_service_sid=IS, content_type="image/png", filename="a.png", data=b"x")
    assert (failed.value.status, failed.value.code, failed.value.retryable) == (404, 20404, False)
    http.post(url, json={"not": "media"}, status=201)
    with pytest.raises(gateway.GatewayError, match="without a media SID"):
        gateway.media_upload(chat_service_sid=IS, content_type="image/png", filename="a.png", data=b"x")
    http.post(url, body=requests.ConnectTimeout())
    with pytest.raises(gateway.GatewayError) as timed_out:
        gateway.media_upload(chat_service_sid=IS, content_type="image/png", filename="a.png", data=b"x")
    assert timed_out.value.kind == "timeout" and timed_out.value.retryable


def test_download_uses_basic_auth_and_follows_twilio_s_redirect_without_it(http, settings):
    settings.TWILIO_API_BASE_URL = ""
    cdn = "https://mms.twiliocdn.com/abc"  # Twilio's short-lived media URL
    http.get(TWILIO_MEDIA_URL, status=307, headers={"Location": cdn})
    http.get(cdn, body=b"JPEG", content_type="image/jpeg")
    assert gateway.media_download(url=TWILIO_MEDIA_URL) == ("image/jpeg", b"JPEG")
    assert http.calls[0].request.headers["Authorization"] == basic(settings)
    assert "Authorization" not in http.calls[1].request.headers  # credentials stay with Twilio


def test_download_is_routed_under_api_and_fetches_nothing_from_other_hosts(http, settings):
    settings.TWILIO_API_BASE_URL = "http://sim.invalid/simulator"
    http.get(
        f"http://sim.invalid/simulator/api/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{'d' * 32}/Media/{ME}",
        body=b"x",
        content_type="image/png; charset=binary",
    )
    assert gateway.media_download(url=TWILIO_MEDIA_URL) == ("image/png", b"x")
    with pytest.raises(gateway.GatewayError) as refused:
        gateway.media_download(url="https://elsewhere.example.com/photo.jpg")
    assert refused.value.kind == "refused" and not refused.value.retryable
    assert len(http.calls) == 1  # no request, so no credentials, went elsewhere


def test_download_refuses_more_than_the_limit_and_reports_http_errors(http, settings, monkeypatch):
    settings.TWILIO_API_BASE_URL = ""
    monkeypatch.setattr(gateway, "MAX_MEDIA_BYTES", 10)
    http.get(TWILIO_MEDIA_URL, body=b"x" * 11)
    with pytest.raises(gateway.GatewayError) as too_large:
        gateway.media_download(url=TWILIO_MEDIA_URL)
    assert too_large.value.kind == "too_large" and not too_large.value.retryable
    http.get(TWILIO_MEDIA_URL, json={"code": 20003, "message": "Authenticate", "status": 401}, status=401)
    with pytest.raises(gateway.GatewayError) as refused:
        gateway.media_download(url=TWILIO_MEDIA_URL)
    assert (refused.value.status, refused.value.code) == (401, 20003)


@pytest.mark.slow
def test_a_phone_s_file_travels_through_the_gateway_into_a_conversation_message(simulator, capture):
    control(simulator, "numbers", data={"address": BUSINESS_WA, "sms_url": capture.hook("/sms")})
    control(
        simulator,
        "inbound",
        json={
            "From": CUSTOMER_WA,
            "To": BUSINESS_WA,
            "Body": "",
            "MediaData": base64.b64encode(b"%PDF-1.4 x").decode(),
            "MediaFilename": "bill.pdf",
            "MediaContentType": "application/pdf",
        },
    )
    (request,) = capture.wait_for(1, path="/sms")
    content_type, data = gateway.media_download(url=request.params["MediaUrl0"])
    assert (content_type, data) == ("application/pdf", b"%PDF-1.4 x")

    conversation = gateway.conversation_create()
    assert conversation.chat_service_sid == store.DEFAULT_CHAT_SERVICE_SID
    media_sid = gateway.media_upload(
        chat_service_sid=conversation.chat_service_sid, content_type=content_type, filename="bill.pdf", data=data
    )
    message = gateway.message_create(conversation_sid=conversation.sid, author=CUSTOMER_WA, media_sid=media_sid)
    assert message.media == [
        {"sid": media_sid, "content_type": "application/pdf", "filename": "bill.pdf", "size": len(data)}
    ]
