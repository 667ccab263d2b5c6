"""The sandbox's media download fetches only from Twilio's media hosts (issue 18, item 3).

gateway.media_download is what webhooks/sandbox/media.py calls for each MediaUrlN: HTTPS on
*.twilio.com (Twilio's redirect may go to *.twiliocdn.com or its documented S3 host), the
simulator's base in simulated mode, each redirect checked, no internal address, one deadline
for the whole download, at most MAX_MEDIA_BYTES (the size cap: tests/simulator/test_media_gateway.py,
test_download_refuses_more_than_the_limit_and_reports_http_errors).
"""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from conversations_ops.twilio import gateway
from conversations_ops.webhooks.sandbox.media import InboundMedia, media_carry

ME = "ME" + "b" * 32
ACCOUNT = "AC" + "c" * 32
TWILIO_MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{'d' * 32}/Media/{ME}"


@pytest.fixture
def http(settings):
    settings.TWILIO_API_BASE_URL = ""  # real Twilio's hosts, answered by `responses`
    with responses.RequestsMock() as mock:
        yield mock


def refused(url: str) -> gateway.GatewayError:
    with pytest.raises(gateway.GatewayError) as failed:
        gateway.media_download(url=url)
    assert failed.value.kind == "refused", failed.value
    assert not failed.value.retryable  # the sandbox flow fails the event at once, no five tries
    return failed.value


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/photo.jpg",
        "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://[::1]/photo.jpg",
        "https://10.0.0.7/photo.jpg",
        "https://evil.example.com/photo.jpg",
        "https://api.twilio.com.evil.example.com/photo.jpg",
        "https://eviltwilio.com/photo.jpg",
        "http://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME",  # plain HTTP
        "https://user:secret@api.twilio.com/photo.jpg",
        "https://api.twilio.com:8443/photo.jpg",
        "file:///etc/passwd",
        "https://mms.twiliocdn.com/photo.jpg",  # the CDN only as Twilio's redirect
    ],
)
def test_a_url_outside_twilio_s_media_hosts_is_refused_without_a_request(http, url):
    error = refused(url)
    assert "Media not fetched" in error.message
    assert len(http.calls) == 0


def test_a_twilio_host_that_resolves_inside_our_network_is_refused(http, monkeypatch):
    monkeypatch.setattr(
        gateway.socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))],
    )
    assert "internal address" in refused(TWILIO_MEDIA_URL).message
    assert len(http.calls) == 0


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example.com/photo.jpg",
        "http://mms.twiliocdn.com/photo.jpg",
        "https://169.254.169.254/latest/meta-data/",
        "https://s3-external-2.amazonaws.com/someone-elses-bucket/x",
    ],
)
def test_a_redirect_elsewhere_is_refused(http, location):
    http.get(TWILIO_MEDIA_URL, status=302, headers={"Location": location})
    refused(TWILIO_MEDIA_URL)
    assert len(http.calls) == 1  # the redirect was not followed


@pytest.mark.parametrize(
    "location", ["https://mms.twiliocdn.com/abc", "https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC/abc"]
)
def test_twilio_s_documented_redirects_are_followed(http, location):
    http.get(TWILIO_MEDIA_URL, status=307, headers={"Location": location})
    http.get(location, body=b"JPEG", content_type="image/jpeg")
    assert gateway.media_download(url=TWILIO_MEDIA_URL) == ("image/jpeg", b"JPEG")


def test_an_endless_chain_of_redirects_is_refused(http):
    hops = [f"https://api.twilio.com/hop/{n}" for n in range(gateway.MEDIA_MAX_REDIRECTS + 1)]
    http.get(TWILIO_MEDIA_URL, status=302, headers={"Location": hops[0]})
    for here, there in zip(hops, hops[1:], strict=False):
        http.get(here, status=302, headers={"Location": there})
    assert "redirects" in refused(TWILIO_MEDIA_URL).message
    assert len(http.calls) == gateway.MEDIA_MAX_REDIRECTS + 1  # the last hop is never asked


class _Drip(BaseHTTPRequestHandler):
    """Answers 200 and then one byte every 50 ms: each read is quick, the whole never ends."""

    def do_GET(self):  # noqa: N802 (the http.server name)
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:  # the client hung up: what the deadline does
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def drip_server(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Simulated mode: the simulator's host (here the drip server) is the one local host fetched.
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_port}/simulator"
    yield settings.TWILIO_API_BASE_URL
    server.shutdown()
    server.server_close()


def test_a_server_that_drips_is_cut_off_at_the_total_deadline(drip_server, settings):
    settings.TWILIO_HTTP_TIMEOUT = 5.0  # no single read waits that long
    settings.TWILIO_MEDIA_DOWNLOAD_SECONDS = 0.5
    with pytest.raises(gateway.GatewayError) as failed:
        gateway.media_download(url=f"{drip_server}/api/2010-04-01/Accounts/{ACCOUNT}/Messages/MM/Media/{ME}")
    assert failed.value.kind == "timeout"
    assert "did not arrive within 0.5 s" in failed.value.message


def test_the_sandbox_flow_gets_the_refusal(http):
    media = InboundMedia(url="https://169.254.169.254/latest/meta-data/", content_type="image/jpeg")
    with pytest.raises(gateway.GatewayError) as failed:
        media_carry(media=media, chat_service_sid="IS" + "a" * 32)
    assert failed.value.kind == "refused"
    assert len(http.calls) == 0  # nothing downloaded, nothing uploaded
