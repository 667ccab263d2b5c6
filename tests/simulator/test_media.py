"""The simulator's media: the Media Content Service, message media with a MediaSid, and
what phones send (downloadable where the Messaging webhook's MediaUrl points)."""

import base64

import pytest
import requests

from simulator.engine import media as media_engine
from simulator.engine import store
from simulator.models import SimMedia, SimMessage
from tests.simulator.engine_helpers import BUSINESS_WA, CUSTOMER_WA, control
from tests.simulator.rest_helpers import assert_error, new_conversation

pytestmark = pytest.mark.slow

IS = store.DEFAULT_CHAT_SERVICE_SID
PNG = media_engine.PLACEHOLDERS["image/png"]


def mcs(api, path=""):
    return f"{api.api_base}/mcs/v1/Services/{IS}/Media{path}"


def upload(api, data=PNG, content_type="image/png", **headers):
    return api.session.post(mcs(api), data=data, headers={"Content-Type": content_type, **headers}, timeout=10)


def test_an_upload_answers_twilio_s_mcs_shape(api):
    response = upload(api, **{"Content-Disposition": 'attachment; filename="door.png"'})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sid"].startswith("ME") and len(body["sid"]) == 34
    assert (body["service_sid"], body["channel_sid"], body["message_sid"]) == (IS, None, None)
    assert (body["size"], body["content_type"], body["filename"], body["author"]) == (
        len(PNG),
        "image/png",
        "door.png",
        "system",
    )
    assert body["date_created"].endswith("Z")
    assert body["links"]["content"] == f"/v1/Services/{IS}/Media/{body['sid']}/Content"
    fetched = api.session.get(mcs(api, f"/{body['sid']}"), timeout=10).json()
    assert fetched == body
    content = api.session.get(mcs(api, f"/{body['sid']}/Content"), timeout=10)
    assert (content.status_code, content.content, content.headers["Content-Type"]) == (200, PNG, "image/png")


def test_a_multipart_upload_and_a_filename_query_parameter_work_too(api):
    multipart = api.session.post(
        mcs(api), files={"media": ("receipt.pdf", b"%PDF-1.4 x", "application/pdf")}, timeout=10
    ).json()
    assert (multipart["filename"], multipart["content_type"], multipart["size"]) == (
        "receipt.pdf",
        "application/pdf",
        10,
    )
    named = api.session.post(
        mcs(api) + "?Filename=a.txt", data=b"hi", headers={"Content-Type": "text/plain"}, timeout=10
    ).json()
    assert (named["filename"], named["size"]) == ("a.txt", 2)
    assert upload(api).json()["filename"] is None  # raw body, no name given


def test_mcs_wants_credentials_a_known_service_and_bytes(api):
    assert_error(requests.post(mcs(api), data=PNG, timeout=10), 401, 20003)
    unknown = f"{api.api_base}/mcs/v1/Services/IS{'0' * 32}/Media"
    assert_error(api.session.post(unknown, data=PNG, headers={"Content-Type": "image/png"}, timeout=10), 404, 20404)
    assert_error(upload(api, data=b""), 400, 20001)
    assert_error(api.session.get(mcs(api, f"/ME{'0' * 32}"), timeout=10), 404, 20404)


def test_a_message_with_an_uploaded_media_sid_describes_the_file(api):
    media_sid = upload(api, **{"Content-Disposition": 'attachment; filename="door.png"'}).json()["sid"]
    conversation = new_conversation(api)
    message = api.post(f"Conversations/{conversation}/Messages", {"MediaSid": media_sid, "Author": "courier"}).json()
    assert message["media"] == [
        {"sid": media_sid, "content_type": "image/png", "filename": "door.png", "size": len(PNG)}
    ]
    linked = api.session.get(mcs(api, f"/{media_sid}"), timeout=10).json()
    assert (linked["channel_sid"], linked["message_sid"]) == (conversation, message["sid"])


def test_a_media_sid_never_uploaded_is_kept_with_nothing_known(api):
    conversation = new_conversation(api)
    stranger = "ME" + "1" * 32
    message = api.post(f"Conversations/{conversation}/Messages", {"MediaSid": stranger}).json()
    assert message["media"] == [{"sid": stranger, "content_type": None, "filename": None, "size": None}]


def _sandbox_inbound(simulator, capture, **media):
    control(simulator, "numbers", data={"address": BUSINESS_WA, "sms_url": capture.hook("/sms")})
    status, answer = control(
        simulator, "inbound", json={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "look", **media}
    )
    assert status == 200, answer
    (request,) = capture.wait_for(1, path="/sms")
    return request.params


def test_a_named_url_becomes_placeholder_bytes_served_at_media_url0(simulator, capture, api):
    params = _sandbox_inbound(simulator, capture, MediaUrl="https://example.com/door.png", MediaContentType="image/png")
    media = api.session.get(params["MediaUrl0"], timeout=10)
    assert (media.status_code, media.content, media.headers["Content-Type"]) == (200, PNG, "image/png")
    assert requests.get(params["MediaUrl0"], timeout=10).status_code == 401  # Basic auth, as Twilio asks
    # Another type: a line of text standing in for the file, never a fetch of the URL.
    assert b"https://example.com/v.mp4" in media_engine.placeholder_bytes("video/mp4", "https://example.com/v.mp4")


def test_a_file_the_phone_sends_is_served_byte_for_byte(simulator, capture, api):
    data = b"%PDF-1.4 invoice"
    params = _sandbox_inbound(
        simulator,
        capture,
        MediaData=base64.b64encode(data).decode(),
        MediaFilename="invoice.pdf",
        MediaContentType="application/pdf",
    )
    assert (params["NumMedia"], params["MediaContentType0"]) == ("1", "application/pdf")
    assert api.session.get(params["MediaUrl0"], timeout=10).content == data
    row = SimMedia.objects.get(message_sid=params["MessageSid"])
    assert (row.filename, row.size) == ("invoice.pdf", len(data))


def test_a_file_sent_as_a_multipart_part(simulator, capture, api):
    control(simulator, "numbers", data={"address": BUSINESS_WA, "sms_url": capture.hook("/sms")})
    response = requests.post(
        f"{simulator.api_base}/_control/inbound",
        timeout=10,
        data={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": ""},
        files={"Media": ("note.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 200, response.text
    (request,) = capture.wait_for(1, path="/sms")
    assert request.params["MediaContentType0"] == "text/plain"
    assert api.session.get(request.params["MediaUrl0"], timeout=10).content == b"hello"


def test_bad_base64_is_refused(simulator):
    status, answer = control(
        simulator, "inbound", json={"From": CUSTOMER_WA, "To": BUSINESS_WA, "MediaData": "not base64!"}
    )
    assert status == 400 and "base64" in answer["error"]


def test_phone_media_in_a_conversation_is_an_mcs_file_of_its_service(simulator, api):
    conversation = new_conversation(api)
    api.post(
        f"Conversations/{conversation}/Participants",
        {"MessagingBinding.Address": CUSTOMER_WA, "MessagingBinding.ProxyAddress": BUSINESS_WA},
    )
    _, answer = control(
        simulator,
        "inbound",
        json={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "", "MediaUrl": "https://example.com/door.png"},
    )
    (item,) = SimMessage.objects.get(sid=answer["message_sid"]).media
    assert (item["content_type"], item["filename"], item["size"]) == ("image/png", "door.png", len(PNG))
    content = api.session.get(mcs(api, f"/{item['sid']}/Content"), timeout=10)
    assert content.content == PNG


def test_reset_forgets_media(simulator, api):
    upload(api)
    control(simulator, "reset")
    assert not SimMedia.objects.exists()
