"""The people of the pairing tests: their numbers, and their phones (the simulator's handsets)."""

import json
import time
from io import StringIO

import requests
from django.core.management import call_command

from conversations_ops.models import Pairing
from simulator.management.commands.simulator_seed import BUSINESS_WHATSAPP
from tests.helpers.handsets import Handset, settle_inbox

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


class ShellConsole:
    """Ops staff at the shell: `manage.py pairing start|close`, with the seeded sender, templates and
    SMS sender (the `seeded` fixture of tests/plugins/pairings.py)."""

    def start(self, seeded, courier: str, customer: str = CUSTOMER, auto_reply: str | None = None) -> Pairing:
        out = StringIO()
        args = [
            *("--sender", seeded["sender"]),
            *("--customer", customer),
            *("--courier", courier),
            *("--invite-template", seeded["invite"].sid),
            *("--invite-variables", json.dumps(ROBERT_ALICIA)),
            *("--connected-template", seeded["connected"].sid),
            *("--sms-sender", seeded["sms_sender"]),
        ]
        if auto_reply is not None:
            args += ["--auto-reply", auto_reply]
        call_command("pairing", "start", *args, stdout=out)
        return Pairing.objects.get(pk=int(out.getvalue()))

    def close(self, pairing: Pairing) -> None:
        call_command("pairing", "close", str(pairing.pk), stdout=StringIO())
