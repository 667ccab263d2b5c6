"""The people of the pairing tests: their numbers, and their phones (the simulator's handsets)."""

import time

import requests

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
