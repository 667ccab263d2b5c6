"""The simulator as its own process (scripts/run_simulator.sh, `make simulator`).

One gunicorn process with config.settings.simulator, a temporary SQLite database and
an account of its own, reached over HTTP only: by the real twilio SDK, by a webhook
receiver in this test, and by `requests` as a phone would.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from config.env import BASE_DIR
from config.settings.base import SIMULATOR_ACCOUNT_SID as BUILT_IN_SID
from config.settings.base import SIMULATOR_AUTH_TOKEN as BUILT_IN_TOKEN
from simulator.management.commands.simulator_seed import BUSINESS_WHATSAPP
from tests.simulator.capture import Capture

pytestmark = pytest.mark.slow

SCRIPT = str(BASE_DIR / "scripts" / "run_simulator.sh")
PHONE, BUSINESS = "whatsapp:+15005550006", BUSINESS_WHATSAPP  # the account's WhatsApp sender is seeded
SMS_NUMBER, SMS_PHONE = "+15005550010", "+15005550011"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RoutedHttpClient(TwilioHttpClient):
    """Every https://<product>.twilio.com/X the SDK calls goes to {base}/<product>/X (as the
    console's gateway does with TWILIO_API_BASE_URL)."""

    def __init__(self, base: str):
        super().__init__(timeout=10)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        for product in ("conversations", "content", "api"):
            host = f"https://{product}.twilio.com"
            if url.startswith(host + "/"):
                url = f"{self.base}/{product}{url[len(host) :]}"
        return super().request(method, url, *args, **kwargs)


class Standalone:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sid = "AC" + secrets.token_hex(16)
        self.token = "standalone-" + secrets.token_hex(8)
        self.stdout_path, self.stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
        # Neither a console's settings nor a developer's simulator variables leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIMULATOR_", "TWILIO_", "DJANGO_"))}
        env.update(
            {
                "PYTHON": sys.executable,
                "SIMULATOR_PORT": str(self.port),
                "SIMULATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'simulator.sqlite3'}",
                "SIMULATOR_ACCOUNT_SID": self.sid,
                "SIMULATOR_AUTH_TOKEN": self.token,
                # The script serves its own settings whatever the environment names.
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
            }
        )
        self.stdout, self.stderr = open(self.stdout_path, "w"), open(self.stderr_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [SCRIPT], env=env, stdout=self.stdout, stderr=self.stderr, start_new_session=True
        )

    def output(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()

    def wait_until_serving(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the simulator exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.base + "/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"nothing answered at {self.base} within {seconds} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.stdout.close()
        self.stderr.close()

    def client(self, token: str | None = None) -> Client:
        return Client(self.sid, token or self.token, http_client=RoutedHttpClient(self.base))

    def control(self, path: str, **data) -> requests.Response:
        return requests.post(f"{self.base}/_control/{path}", data=data, timeout=10)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    simulator = Standalone(tmp_path_factory.mktemp("standalone"))
    try:
        simulator.wait_until_serving()
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def receiver():
    capture = Capture()
    yield capture
    capture.close()


def test_it_prints_its_credentials_and_the_console_lines(standalone):
    out = standalone.stdout_path.read_text()
    assert f"Simulator account SID: {standalone.sid}\n" in out
    assert f"Simulator auth token: {standalone.token}\n" in out
    assert f"Simulator base URL: {standalone.base}\n" in out
    assert (
        f"TWILIO_ACCOUNT_SID={standalone.sid} TWILIO_AUTH_TOKEN={standalone.token} "
        f"TWILIO_API_BASE_URL={standalone.base}\n"
    ) in out


def test_the_twilio_sdk_creates_and_lists_a_conversation(standalone):
    client = standalone.client()
    created = client.conversations.v1.conversations.create(friendly_name="standalone check")
    assert created.sid.startswith("CH") and created.account_sid == standalone.sid
    assert created.url == f"{standalone.base}/conversations/v1/Conversations/{created.sid}"
    listed = client.conversations.v1.conversations.list(limit=50)
    assert created.sid in [c.sid for c in listed]
    # Seeded on first start: the guide's approved templates, through the Content API.
    assert {"courier_invite", "courier_connected"} <= {c.friendly_name for c in client.content.v1.contents.list()}


def test_wrong_credentials_get_401_20003(standalone):
    with pytest.raises(TwilioRestException) as error:
        standalone.client(token="not-the-token").conversations.v1.conversations.create(friendly_name="no")
    assert (error.value.status, error.value.code) == (401, 20003)
    # The embedded simulator's built-in account is not this one's.
    response = requests.get(
        f"{standalone.base}/conversations/v1/Conversations", timeout=5, auth=(BUILT_IN_SID, BUILT_IN_TOKEN)
    )
    assert response.status_code == 401 and response.json()["code"] == 20003


def test_configured_webhooks_arrive_signed_with_its_own_token(standalone, receiver):
    client = standalone.client()
    # No console beside it: no account webhook until one is configured.
    assert client.conversations.v1.configuration.webhooks().fetch().post_webhook_url is None
    hook = receiver.hook("/conversations-events")
    client.conversations.v1.configuration.webhooks().update(
        post_webhook_url=hook, method="POST", filters=["onConversationAdded", "onMessageAdded"]
    )

    answer = standalone.control("inbound", From=PHONE, To=BUSINESS, Body="Where is my food?")
    assert answer.status_code == 200 and answer.json()["outcome"] == "auto_created", answer.text

    [event] = receiver.wait_for(1, timeout=10, event_type="onMessageAdded")
    assert event.url == hook
    assert event.param("AccountSid") == standalone.sid and event.param("Body") == "Where is my food?"
    signature = event.headers["X-Twilio-Signature"]
    assert RequestValidator(standalone.token).validate(hook, event.params, signature)
    assert not RequestValidator(BUILT_IN_TOKEN).validate(hook, event.params, signature)
    assert receiver.wait_for(1, timeout=5, event_type="onConversationAdded")


def test_messaging_webhook_media_urls_point_at_the_standalone_simulator(standalone, receiver):
    assert standalone.control("numbers", address=SMS_NUMBER, sms_url=receiver.hook("/sms")).status_code == 200
    answer = standalone.control(
        "inbound",
        From=SMS_PHONE,
        To=SMS_NUMBER,
        Body="photo",
        MediaUrl="https://example.com/door.png",
        MediaContentType="image/png",
    )
    assert answer.status_code == 200, answer.text
    [sms] = receiver.wait_for(1, timeout=10, path="/sms")
    assert RequestValidator(standalone.token).validate(sms.url, sms.params, sms.headers["X-Twilio-Signature"])
    media_url = sms.param("MediaUrl0")
    assert media_url.startswith(f"{standalone.base}/api/2010-04-01/Accounts/{standalone.sid}/Messages/")
    media = requests.get(media_url, auth=(standalone.sid, standalone.token), timeout=5)
    assert media.status_code == 200 and media.headers["Content-Type"] == "image/png"
    assert media.content.startswith(b"\x89PNG")


def test_the_handset_page_and_control_api_answer_at_the_root(standalone):
    phone = "whatsapp:+15005550007"
    assert standalone.control("inbound", From=phone, To=BUSINESS, Body="Ring twice").status_code == 200
    page = requests.get(f"{standalone.base}/", params={"address": phone}, timeout=5)
    assert page.status_code == 200
    assert 'const api = "/_control/"' in page.text and "Ring twice" in page.text
    handset = requests.get(f"{standalone.base}/_control/handsets/{phone}", timeout=5).json()
    assert [m["body"] for m in handset["messages"]] == ["Ring twice"]


def test_the_default_account_webhook_embedded_and_standalone(settings):
    from simulator.engine.store import _default_post_webhook_url

    # Embedded (declared None in base.py): the console beside it, as before.
    assert settings.SIMULATOR_DEFAULT_WEBHOOK_BASE_URL is None
    assert _default_post_webhook_url() == f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/conversations/"
    settings.SIMULATOR_DEFAULT_WEBHOOK_BASE_URL = ""  # standalone's default: none
    assert _default_post_webhook_url() is None
    settings.SIMULATOR_DEFAULT_WEBHOOK_BASE_URL = "http://console.internal:8000/"
    assert _default_post_webhook_url() == "http://console.internal:8000/webhooks/twilio/conversations/"


def test_its_own_base_url_embedded_and_standalone(settings, rf):
    from simulator.api.common import own_base

    request = rf.get("/simulator/conversations/v1/Conversations", HTTP_HOST="127.0.0.1:8000")
    assert own_base(request) == "http://127.0.0.1:8000/simulator"
    settings.SIMULATOR_PUBLIC_URL = "http://simulator.internal:8001/"
    assert own_base(request) == "http://simulator.internal:8001"
