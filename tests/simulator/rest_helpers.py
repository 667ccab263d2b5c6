"""Helpers for the simulator's REST tests: a raw HTTP client, error checks and engine-call recorders.

The fixtures `api` and `engine_calls` (tests/simulator/conftest.py) build on them.
The live server runs in a thread of the test process, so a monkeypatched
engine function is what its views call.
"""

from dataclasses import dataclass, field

import requests
from django.conf import settings

from simulator import clock
from simulator.models import SimReceipt
from simulator.sids import new_sid

BUSINESS_WA, CUSTOMER_WA = "whatsapp:+14155550100", "whatsapp:+15017122661"
BUSINESS_SMS, COURIER_SMS = "+442071838750", "+4915123456789"
ERROR_KEYS = {"code", "message", "more_info", "status"}


def new_conversation(api, **data):
    response = api.post("Conversations", data)
    assert response.status_code == 201, response.text
    return response.json()["sid"]


def add_binding(api, conversation_sid, address=CUSTOMER_WA, proxy=BUSINESS_WA):
    return api.post(
        f"Conversations/{conversation_sid}/Participants",
        {"MessagingBinding.Address": address, "MessagingBinding.ProxyAddress": proxy},
    )


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and (body["status"], body["code"]) == (status, code), body
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}" and body["message"]
    return body


EVENT_FUNCTIONS = ("conversation_event", "participant_event", "message_event", "delivery_event", "state_event")


class SimulatorApi:
    """Plain `requests` against /simulator/<product>/v1 with the simulated account's Basic auth."""

    def __init__(self, api_base: str, auth=None):
        self.api_base = api_base
        self.session = requests.Session()
        self.session.auth = auth or (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    def url(self, path: str, product: str = "conversations") -> str:
        return f"{self.api_base}/{product}/v1/{path.lstrip('/')}"

    def get(self, path, product="conversations", **kwargs):
        return self.session.get(self.url(path, product), timeout=10, **kwargs)

    def post(self, path, data=None, product="conversations", **kwargs):
        return self.session.post(self.url(path, product), data=data, timeout=10, **kwargs)

    def delete(self, path, product="conversations", **kwargs):
        return self.session.delete(self.url(path, product), timeout=10, **kwargs)


@dataclass
class EngineCalls:
    events: list = field(default_factory=list)  # (function name, first argument)
    delivered: list = field(default_factory=list)  # message sids

    def names(self, function: str) -> list:
        """The event types (or state moves) recorded for one events.* function."""
        return [args for name, args in self.events if name == function]


def fake_deliver(calls: EngineCalls):
    """Records the call and leaves a `delivered` receipt per SMS/WhatsApp recipient, so receipts exist."""

    def deliver(message):
        calls.delivered.append(message.sid)
        now = clock.now()
        for participant in message.conversation.participants.exclude(address=None).exclude(address=message.author):
            SimReceipt.objects.create(
                sid=new_sid("DY"),
                message=message,
                participant=participant,
                channel_message_sid=new_sid("SM"),
                status="delivered",
                date_created=now,
                date_updated=now,
            )

    return deliver
