"""The control API: each endpoint, form and JSON bodies, and the simulated-mode gate."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from simulator import clock, faults
from simulator.engine import store
from simulator.models import (
    SimAccountWebhooks,
    SimClock,
    SimContent,
    SimConversation,
    SimFaults,
    SimHandsetEntry,
    SimNumber,
    SimWebhookDelivery,
)
from tests.simulator.engine_helpers import BUSINESS_WA, CUSTOMER_WA

BASE = "/simulator/_control/"
ENDPOINTS = [
    ("post", "inbound"),
    ("get", f"handsets/{CUSTOMER_WA}"),
    ("get", "clock"),
    ("post", "clock"),
    ("get", "content"),
    ("post", "content/HX" + "0" * 32 + "/approval"),
    ("get", "faults"),
    ("post", "faults"),
    ("delete", "faults"),
    ("post", "reset"),
    ("get", "deliveries"),
    ("post", "drain"),
    ("get", "numbers"),
    ("post", "numbers"),
]


def _json(client, method, path, payload=None):
    if method == "get":
        response = client.get(BASE + path)
    else:
        response = getattr(client, method)(BASE + path, data=json.dumps(payload or {}), content_type="application/json")
    return response.status_code, response.json()


def _form(client, path, payload):
    response = client.post(BASE + path, data=payload)  # multipart/form-data like a browser form
    return response.status_code, response.json()


def _content(approval=None):
    now = timezone.now()
    return SimContent.objects.create(
        sid="HX" + "a" * 32,
        friendly_name="courier_invite",
        language="en",
        types={"twilio/text": {"body": "Hi {{1}}"}},
        approval=approval or {},
        date_created=now,
        date_updated=now,
    )


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_refused_unless_the_console_runs_simulated(client, db, settings, method, path):
    settings.TWILIO_SIMULATED = False
    response = getattr(client, method)(BASE + path)
    assert response.status_code == 403
    assert "TWILIO_SIMULATED" in response.json()["error"]


def test_inbound_requires_from_and_to_and_takes_form_bodies(client, db):
    assert _form(client, "inbound", {"Body": "x"})[0] == 400
    status, answer = _form(client, "inbound", {"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "hello"})
    assert (status, answer["outcome"]) == (200, "undelivered")
    assert SimHandsetEntry.objects.get().body == "hello"


def test_a_plus_lost_to_form_encoding_is_put_back(client, db):
    # `curl -d From=whatsapp:+1501...` sends an unencoded "+", which a form decodes as a space.
    status, _ = _form(client, "inbound", {"From": "whatsapp: 15017122661", "To": "whatsapp: 14155550100"})
    assert status == 200
    assert SimHandsetEntry.objects.get().address == CUSTOMER_WA
    assert (
        _form(client, "numbers", {"address": " 14155550101", "sms_url": "http://x"})[1]["numbers"][0]["address"]
        == "+14155550101"
    )


def test_handset_lists_what_the_phone_saw(client, db):
    SimHandsetEntry.objects.create(
        address=CUSTOMER_WA,
        direction="received",
        counterpart=BUSINESS_WA,
        body="Hi",
        status="delivered",
        conversation_sid="CH" + "1" * 32,
        message_sid="IM" + "1" * 32,
        date=timezone.now(),
    )
    SimHandsetEntry.objects.create(
        address="+15550000000",
        direction="received",
        counterpart=BUSINESS_WA,
        body="not mine",
        status="delivered",
        date=timezone.now(),
    )
    status, answer = _json(client, "get", f"handsets/{CUSTOMER_WA}")
    assert status == 200
    (entry,) = answer["messages"]
    assert {
        "direction",
        "counterpart",
        "body",
        "content_sid",
        "media",
        "status",
        "error_code",
        "date",
        "conversation_sid",
        "message_sid",
    } <= set(entry)
    assert (entry["body"], entry["counterpart"], entry["status"]) == ("Hi", BUSINESS_WA, "delivered")
    assert _json(client, "get", f"handsets/{CUSTOMER_WA}?counterpart=whatsapp:%2B19999999999")[1]["messages"] == []


def test_clock_moves_forward_and_runs_the_timers(client, db):
    status, before = _json(client, "get", "clock")
    assert status == 200 and before["offset_seconds"] == 0
    conversation = store.create_conversation(timers_closed="PT10M")
    status, after = _json(client, "post", "clock", {"advance": 3600})
    assert status == 200 and after["offset_seconds"] == 3600
    assert abs((clock.now() - timezone.now()) - timedelta(hours=1)) < timedelta(seconds=5)
    conversation.refresh_from_db()
    assert conversation.state == "closed"
    assert _json(client, "post", "clock", {"advance": -5})[0] == 400
    assert _json(client, "post", "clock", {})[0] == 400
    assert _form(client, "clock", {"advance": "60"})[1]["offset_seconds"] == 3660


def test_content_approval_sets_the_whatsapp_status(client, db):
    content = _content()
    status, answer = _json(
        client, "post", f"content/{content.sid}/approval", {"status": "rejected", "rejection_reason": "INVALID_FORMAT"}
    )
    assert status == 200
    content.refresh_from_db()
    # Never submitted: the approval object is made as WhatsApp would have.
    assert content.approval["status"] == "rejected" and content.approval["rejection_reason"] == "INVALID_FORMAT"
    assert content.approval["name"] == "courier_invite" and content.approval["category"] == "UTILITY"
    _json(client, "post", f"content/{content.sid}/approval", {"status": "approved"})
    content.refresh_from_db()
    assert (content.approval["status"], content.approval["rejection_reason"]) == ("approved", "")
    assert _json(client, "post", f"content/{content.sid}/approval", {"status": "great"})[0] == 400
    # Meta re-categorising it: the category changes, the status stays.
    _json(client, "post", f"content/{content.sid}/approval", {"category": "marketing"})
    content.refresh_from_db()
    assert (content.approval["status"], content.approval["category"]) == ("approved", "MARKETING")
    assert _json(client, "post", f"content/{content.sid}/approval", {"category": "PROMO"})[0] == 400
    assert _json(client, "post", f"content/{content.sid}/approval", {})[0] == 400
    assert _json(client, "post", "content/HX" + "f" * 32 + "/approval", {"status": "approved"})[0] == 404
    (listed,) = _json(client, "get", "content")[1]["contents"]
    assert (listed["sid"], listed["body"], listed["approval"]["status"]) == (content.sid, "Hi {{1}}", "approved")


def test_faults_are_validated_set_shown_and_cleared(client, db):
    assert _json(client, "post", "faults", {"rate": 2, "kinds": ["429"]})[0] == 400
    assert _json(client, "post", "faults", {"rate": 0.5, "kinds": ["teapot"]})[0] == 400
    status, answer = _json(
        client,
        "post",
        "faults",
        {
            "rate": 0.2,
            "kinds": ["429", "500"],
            "latency_ms": 50,
            "paths": ["/Conversations"],
            "timeout_s": 6,
            "seed": 7,
        },
    )
    assert status == 200 and answer["active"] is True
    shown = _json(client, "get", "faults")[1]
    assert (shown["rate"], shown["kinds"], shown["paths"], shown["timeout_s"], shown["seed"]) == (
        0.2,
        ["429", "500"],
        ["/Conversations"],
        6,
        7,
    )
    assert shown["counters"] == {kind: 0 for kind in faults.KINDS}
    assert _json(client, "delete", "faults")[1]["active"] is False
    assert faults.current().get("kinds") is None


def test_numbers_configure_a_messaging_webhook(client, db):
    status, answer = _form(client, "numbers", {"address": BUSINESS_WA, "sms_url": "https://example.com/sms"})
    assert status == 200
    assert answer["numbers"] == [{"address": BUSINESS_WA, "sms_url": "https://example.com/sms", "sms_method": "POST"}]
    assert _form(client, "numbers", {"sms_url": "x"})[0] == 400


def test_deliveries_lists_the_newest_first_and_filters(client, db):
    for n, kind in enumerate(["account", "scoped", "account"]):
        SimWebhookDelivery.objects.create(
            kind=kind, event_type=f"e{n}", url="http://x", method="POST", params=[], conversation_sid="CH" + str(n) * 32
        )
    status, answer = _json(client, "get", "deliveries")
    assert status == 200 and [d["event_type"] for d in answer["deliveries"]] == ["e2", "e1", "e0"]
    assert [d["event_type"] for d in _json(client, "get", "deliveries?kind=scoped")[1]["deliveries"]] == ["e1"]
    assert len(_json(client, "get", "deliveries?limit=1")[1]["deliveries"]) == 1


def test_drain_answers_whether_the_queue_emptied(client, db):
    assert _json(client, "post", "drain", {"timeout": 1}) == (200, {"drained": True})


def test_reset_wipes_every_piece_of_simulator_state(client, db):
    conversation = store.create_conversation()
    store.add_participant(conversation, address=CUSTOMER_WA, proxy_address=BUSINESS_WA)
    store.account_webhooks()
    _content()
    SimNumber.objects.create(address=BUSINESS_WA, sms_url="http://x")
    SimHandsetEntry.objects.create(
        address=CUSTOMER_WA, direction="sent", counterpart=BUSINESS_WA, status="sent", date=timezone.now()
    )
    SimWebhookDelivery.objects.create(kind="account", event_type="e", url="http://x", method="POST", params=[])
    clock.advance(7200)
    faults.configure({"rate": 1, "kinds": ["500"]})
    from simulator.engine import ratelimit

    ratelimit.reset()
    for _ in range(ratelimit.limit()):
        assert ratelimit._reserve("conversation:CHfull", time.monotonic())
    assert not ratelimit._reserve("conversation:CHfull", time.monotonic())  # the window is full
    status, answer = _json(client, "post", "reset")
    assert status == 200 and answer["offset_seconds"] == 0
    assert ratelimit.stats()["rate_limited"] == 0
    assert ratelimit._reserve("conversation:CHfull", time.monotonic())  # the window was forgotten
    for model in (
        SimConversation,
        SimAccountWebhooks,
        SimContent,
        SimNumber,
        SimHandsetEntry,
        SimWebhookDelivery,
        SimClock,
        SimFaults,
    ):
        assert not model.objects.exists(), model.__name__


def test_wrong_method_is_a_json_405(client, db):
    response = client.get(BASE + "inbound")
    assert response.status_code == 405 and "POST" in response.json()["error"]


def test_url_names_live_in_the_simulator_namespace():
    from django.urls import reverse

    assert reverse("simulator:control-inbound") == BASE + "inbound"
    assert reverse("simulator:control-handset", args=[CUSTOMER_WA]) == BASE + f"handsets/{CUSTOMER_WA}"
