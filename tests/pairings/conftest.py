"""Pairings end to end: the console and the simulator's handsets, nothing else.

The simulator is seeded as `make run` seeds it (a WhatsApp and an SMS business
number, the guide's two templates approved) and the console pulls what it
needs: the address configurations and the templates.
"""

import time

import pytest
import requests
from django.core.management import call_command

from conversations_ops.models import Template
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.account_webhooks import account_webhooks_configure
from simulator.management.commands.simulator_seed import BUSINESS_SMS, BUSINESS_WHATSAPP
from tests.simulator.conftest import simulator  # noqa: F401  (the live simulator)
from tests.webhooks.test_handset_vs_pull import Handset, settle_inbox

CUSTOMER = "whatsapp:+15017122661"
COURIER = "whatsapp:+15017122662"
COURIER_SMS = "+15017122663"
ROBERT_ALICIA = {"1": "Robert", "2": "Alicia"}


class People:
    """The customer's and the courier's phones (the handset page's control API)."""

    def __init__(self, simulator):
        self.handset = Handset(simulator.api_base)

    def write(self, sender: str, body: str, to: str = BUSINESS_WHATSAPP) -> None:
        self.handset.send(sender, to, body)
        self.settle()

    def settle(self) -> None:
        self.handset.wait_for_webhooks()
        settle_inbox()

    def received(self, address: str) -> list[str]:
        answer = requests.get(f"{self.handset.control}/handsets/{address}", timeout=30).json()
        return [m["body"] for m in answer["messages"] if m["direction"] == "received"]

    def wait_until(self, check, what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.2)
            self.settle()


@pytest.fixture
def seeded(simulator):  # noqa: F811
    call_command("simulator_seed")
    twilio_pull(resources=["addresses", "templates"])
    account_webhooks_configure()
    templates = {t.friendly_name: t for t in Template.objects.all()}
    return {
        "invite": templates["courier_invite"],
        "connected": templates["courier_connected"],
        "sender": BUSINESS_WHATSAPP,
        "sms_sender": BUSINESS_SMS,
    }


@pytest.fixture
def people(simulator):  # noqa: F811
    return People(simulator)
