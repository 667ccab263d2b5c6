"""A Content-Length Django cannot read is a 400 with the reason, not a 500 (issue 18, item 3).

Raw HTTP against a live server: the test client cannot send a bad Content-Length.
Before conversations_ops.request_guard, `Content-Length: abc` reached Django's
`int()` in HttpRequest.body (the webhook gate reads the body; the CSRF check reads
an admin form's) and came back as a 500 with an error report.
"""

import socket
from urllib.parse import urlsplit

import pytest

from conversations_ops.models import WebhookEvent, WebhookRejection
from conversations_ops.request_guard import malformed_header

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BAD = ["abc", "1e3", "5, 5", "-1", "+3", "0x10", "3.0", "99999999999999999999"]
CSRF = "c" * 32  # a well-formed CSRF cookie: the admin's CSRF check then reads the form, hence the body


def raw(url: str, request: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def post(url: str, path: str, length: str, *, cookie: str = "") -> tuple[int, bytes]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n{cookie}Connection: close\r\n\r\n"
    )
    answer = raw(url, head.encode() + b"a=b")
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("length", BAD)
@pytest.mark.parametrize("path", ["conversations", "messaging", "status"])
def test_a_webhook_with_an_unreadable_content_length_is_a_400_with_the_reason(live_server, path, length):
    status, body = post(live_server.url, f"/webhooks/twilio/{path}/", length)
    assert status == 400
    assert b"Content-Length is not a number of bytes" in body
    assert not WebhookEvent.objects.exists()
    assert not WebhookRejection.objects.exists()  # not a Twilio request at all: the gate never ran


@pytest.mark.parametrize("length", ["abc", "5, 5"])
@pytest.mark.parametrize("path", ["/admin/login/", "/admin/conversations_ops/conversation/add/", "/health/"])
def test_admin_and_other_pages_answer_400_too(live_server, path, length):
    status, body = post(live_server.url, path, length, cookie=f"Cookie: csrftoken={CSRF}\r\n")
    assert status == 400
    assert b"Content-Length is not a number of bytes" in body


def test_a_well_formed_content_length_still_reaches_the_views(live_server):
    status, _ = post(live_server.url, "/webhooks/twilio/conversations/", "3")
    assert status == 403  # unsigned: the gate's own answer
    status, _ = post(live_server.url, "/webhooks/twilio/conversations/", " 3 ")  # optional whitespace around it
    assert status == 403


@pytest.mark.parametrize(("value", "bad"), [(None, False), ("", False), ("0", False), ("12", False), ("abc", True)])
def test_malformed_header_reads_only_digits_as_a_length(value, bad):
    meta = {} if value is None else {"CONTENT_LENGTH": value}
    assert bool(malformed_header(meta)) is bad
