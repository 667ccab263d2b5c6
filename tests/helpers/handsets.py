"""The simulator's handset page driven over HTTP, and the console's inbox drained until settled."""

import time

import requests

from conversations_ops.models import ProcessingState, WebhookEvent
from conversations_ops.webhooks.inbox import webhook_inbox_drain


class Handset:
    """What the handset page does: its form posts to the control API's inbound endpoint."""

    def __init__(self, api_base: str):
        self.control = f"{api_base}/_control"
        self.page = f"{api_base}/"

    def send(self, sender: str, to: str, body: str, **extra) -> dict:
        response = requests.post(
            f"{self.control}/inbound", data={"From": sender, "To": to, "Body": body, **extra}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()

    def shows(self, address: str, text: str) -> bool:
        page = requests.get(self.page, params={"address": address}, timeout=30)
        return page.status_code == 200 and text in page.text

    def tick(self, seconds: float = 3) -> None:
        """Time passes between people's actions (the simulator's clock), so dates differ by whole seconds."""
        assert requests.post(f"{self.control}/clock", data={"advance": seconds}, timeout=30).status_code == 200

    def wait_for_webhooks(self) -> None:
        response = requests.post(f"{self.control}/drain", data={"timeout": 30}, timeout=60)
        assert response.json()["drained"] is True


def settle_inbox(timeout: float = 30) -> None:
    """Applies what still waits (e.g. a receipt that arrived while its message was being pushed)."""
    deadline = time.monotonic() + timeout
    while WebhookEvent.objects.filter(processing_state=ProcessingState.PENDING).exists():
        assert time.monotonic() < deadline, list(
            WebhookEvent.objects.filter(processing_state=ProcessingState.PENDING).values_list(
                "event_type", "processing_error"
            )
        )
        time.sleep(0.5)
        webhook_inbox_drain(budget_seconds=5)
    problems = list(
        WebhookEvent.objects.exclude(processing_state=ProcessingState.PROCESSED).values_list(
            "event_type", "processing_state", "processing_error"
        )
    )
    assert not problems, problems
