"""Shuffled event orders converge to the same mirror.

The events are the simulator's own (simulator/engine/events.py), recorded
while one conversation lives through what a delivery conversation goes
through: auto-created by a customer's WhatsApp message, a courier and an
agent join, messages are sent, relayed, edited and deleted, receipts sent,
delivered, read and failed, the courier leaves, the conversation is renamed,
made inactive, woken by a message and timed out (and, in one variant,
removed). Every permutation, fed through the signed endpoint and the inbox,
must leave the mirror exactly as the recorded order does.
"""

import base64
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from conversations_ops.models import WebhookEvent
from simulator.engine import ratelimit
from simulator.models import SimMessage, SimParticipant, SimWebhookDelivery
from tests.pull import sim_state
from tests.webhooks.builders import deliver, mirror_snapshot, ms, wipe_mirror

pytestmark = pytest.mark.django_db

CUSTOMER, BUSINESS = "whatsapp:+15017122661", "whatsapp:+14155550100"
STRANGER = "whatsapp:+15017122699"  # never wrote: WhatsApp refuses free-form to them (63016)
COURIER, BUSINESS_SMS = "+15017122663", "+14155550101"
ACCOUNT_URL_SUFFIX = "/webhooks/twilio/conversations/"


class Simulator:
    """The simulator driven through its REST and control API by Django's test client.

    In a `db` test nothing commits, so the simulator only logs its webhooks
    (SimWebhookDelivery) and never sends them: the log is the event sequence.
    """

    def __init__(self, client):
        self.client = client
        token = base64.b64encode(f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
        self.headers = {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_TWILIO_WEBHOOK_ENABLED": "true"}

    def post(self, path: str, data: dict) -> dict:
        response = self.client.post(f"/simulator/conversations/v1/{path}", data, **self.headers)
        assert response.status_code in (200, 201), response.content
        return response.json()

    def delete(self, path: str) -> None:
        response = self.client.delete(f"/simulator/conversations/v1/{path}", **self.headers)
        assert response.status_code == 204, response.content

    def phone(self, sender: str, to: str, body: str, **extra) -> dict:
        response = self.client.post("/simulator/_control/inbound", {"From": sender, "To": to, "Body": body, **extra})
        assert response.status_code == 200, response.content
        return response.json()

    def tick(self, seconds: float = 2) -> None:
        """Twilio's clock moves between steps, as it does between people's actions."""
        assert self.client.post("/simulator/_control/clock", {"advance": seconds}).status_code == 200


def record_scenario(client, *, remove_conversation: bool) -> list:
    ratelimit.reset()
    sim_state.address(BUSINESS)  # auto-creation on the WhatsApp business number
    sim = Simulator(client)
    ch = sim.phone(CUSTOMER, BUSINESS, "Where is my order?")["conversation_sid"]
    messages, people = f"Conversations/{ch}/Messages", f"Conversations/{ch}/Participants"
    sim.tick()
    courier = sim.post(people, {"MessagingBinding.Address": COURIER, "MessagingBinding.ProxyAddress": BUSINESS_SMS})
    sim.tick()
    sim.post(people, {"Identity": "ops-agent"})
    sim.post(people, {"MessagingBinding.Address": STRANGER, "MessagingBinding.ProxyAddress": BUSINESS})
    sim.tick()
    sent = sim.post(messages, {"Author": "ops-agent", "Body": "Your courier is on the way"})
    sim.tick()
    sim.phone(
        COURIER, BUSINESS_SMS, "I'm outside", MediaUrl="https://example.com/door.jpg", MediaContentType="image/jpeg"
    )
    sim.tick()
    sim.post(f"{messages}/{sent['sid']}", {"Body": "Your courier is on the way (5 min)"})
    sim.tick()
    customer = SimParticipant.objects.get(conversation__sid=ch, address=CUSTOMER).sid
    sim.post(f"{people}/{customer}", {"Attributes": '{"name": "Ana"}', "LastReadMessageIndex": "2"})
    sim.tick()
    sim.post(f"Conversations/{ch}", {"FriendlyName": "Order 42", "State": "inactive"})
    sim.tick()
    sim.phone(CUSTOMER, BUSINESS, "Thanks!")  # wakes the conversation (state event, reason EVENT)
    sim.tick()
    sim.delete(f"{messages}/{SimMessage.objects.get(conversation__sid=ch, index=0).sid}")
    sim.tick()
    sim.delete(f"{people}/{courier['sid']}")
    sim.tick()
    sim.post(f"Conversations/{ch}", {"Timers.Inactive": "PT5M"})
    sim.tick(600)  # the inactive timer runs out (state event, reason TIMER)
    if remove_conversation:
        sim.tick()
        sim.delete(f"Conversations/{ch}")
    events = [
        [tuple(pair) for pair in row.params]
        for row in SimWebhookDelivery.objects.filter(kind="account", url__endswith=ACCOUNT_URL_SUFFIX).order_by("id")
    ]
    return events + [_read_by_the_customer(events, customer)]


def _read_by_the_customer(events, customer_sid) -> list:
    """The simulator stops at "delivered"; WhatsApp then reports "read" (one second later)."""
    delivered = next(
        pairs for pairs in events if ("Status", "delivered") in pairs and ("ParticipantSid", customer_sid) in pairs
    )
    later = parse_datetime(dict(delivered)["DateUpdated"]) + timedelta(seconds=1)
    replaced = {"Status": "read", "DateUpdated": ms(later)}
    return [(key, replaced.get(key, value)) for key, value in delivered]


@pytest.fixture
def scenario(request, client):
    events = record_scenario(client, remove_conversation=request.param)
    for pairs in events:
        deliver(client, pairs)
    expected = mirror_snapshot()
    failures = list(
        WebhookEvent.objects.exclude(processing_state="processed").values_list("event_type", "processing_error")
    )
    assert not failures, failures
    wipe_mirror()
    return events, expected


def apply_in(client, events, order) -> dict:
    wipe_mirror()
    for n in order:
        deliver(client, events[n])
    failures = list(
        WebhookEvent.objects.exclude(processing_state="processed").values_list("event_type", "processing_error")
    )
    assert not failures, failures
    return mirror_snapshot()


ALIVE, REMOVED = False, True


def rows(snapshot, model, **match) -> list:
    return [row for row in snapshot[model].values() if all(row[k] == v for k, v in match.items())]


@pytest.mark.parametrize("scenario", [ALIVE], indirect=True)
def test_the_recorded_order_gives_the_mirror_twilio_has(scenario):
    events, mirror = scenario
    assert len(events) >= 25
    (conversation,) = mirror["Conversation"].values()
    assert (conversation["friendly_name"], conversation["state"], conversation["sync_state"]) == (
        "Order 42",
        "inactive",
        "synced",
    )
    assert [p["messaging_binding_address"] for p in rows(mirror, "Participant", sync_state="deleted_remotely")] == [
        COURIER
    ]
    customer = rows(mirror, "Participant", messaging_binding_address=CUSTOMER)[0]
    assert (customer["attributes"], customer["last_read_message_index"]) == ('{"name": "Ana"}', 2)
    live = sorted((m["index"], m["body"], m["direction"]) for m in rows(mirror, "Message", sync_state="synced"))
    assert live == [
        (1, "Your courier is on the way (5 min)", "outbound"),
        (2, "I'm outside", "inbound"),
        (3, "Thanks!", "inbound"),
    ]
    assert rows(mirror, "Message", index=2)[0]["media"][0]["content_type"] == "image/jpeg"
    sent = rows(mirror, "Message", index=1)[0]
    assert sent["delivery"] == {
        "total": 3,
        "sent": "some",
        "delivered": "some",
        "read": "some",
        "failed": "some",
        "undelivered": "none",
    }
    assert sorted((r["status"], r["error_code"]) for r in rows(mirror, "DeliveryReceipt", message_id=sent["sid"])) == [
        ("delivered", None),
        ("failed", 63016),
        ("read", None),
    ]


@pytest.mark.parametrize("scenario", [ALIVE, REMOVED], indirect=True, ids=["alive", "removed"])
def test_the_reversed_order_converges(client, scenario):
    events, expected = scenario
    assert apply_in(client, events, range(len(events) - 1, -1, -1)) == expected


@pytest.mark.parametrize("scenario", [ALIVE, REMOVED], indirect=True, ids=["alive", "removed"])
@hypothesis_settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_order_converges(client, scenario, data):
    events, expected = scenario
    order = data.draw(st.permutations(range(len(events))), label="order")
    assert apply_in(client, events, order) == expected
