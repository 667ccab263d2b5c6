"""The gate's answers other than the signature: replays, unknown events, 405, 413,
400 with a reason, counters, what the log keeps, CSRF."""

import logging
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conversations_ops.models import ProcessingState, WebhookEvent, WebhookRejection
from conversations_ops.webhooks import views
from conversations_ops.webhooks.recording import webhook_refusals_flush

from .fixtures import fixture_names, fixture_pairs, post_fixture
from .signing import PATHS, sign, signed_post

pytestmark = pytest.mark.django_db

TEXT = "conversations__onMessageAdded__text"
ENDPOINT_FIXTURES = {"conversations": TEXT, "messaging": "messaging__whatsapp", "status": "status__delivered"}


def counters() -> dict:
    """The refusal counts as /metrics reads them, once this process has written its tally."""
    webhook_refusals_flush()
    return dict(WebhookRejection.objects.values_list("reason", "count"))


# Replays and duplicates


def test_replay_of_a_valid_request_stores_nothing_new(client):
    first = post_fixture(client, TEXT)
    again = [post_fixture(client, TEXT) for _ in range(3)]
    assert [r.status_code for r in (first, *again)] == [200] * 4
    assert WebhookEvent.objects.count() == 1
    assert counters() == {}


def test_replay_with_another_idempotency_token_stores_nothing_new(client):
    """The header is not signed: a replay may carry any token."""
    post_fixture(client, TEXT, headers={"I-Twilio-Idempotency-Token": "delivery-1"})
    post_fixture(client, TEXT, headers={"I-Twilio-Idempotency-Token": "delivery-2"})
    post_fixture(client, TEXT)
    event = WebhookEvent.objects.get()
    assert event.headers["I-Twilio-Idempotency-Token"] == "delivery-1"


def test_params_are_stored_in_the_order_sent_even_with_interleaved_repeated_keys(client):
    pairs = [("EventType", "onSomethingNew"), ("Tag", "a"), ("Other", "1"), ("Tag", "b"), ("Tag", "a")]
    assert signed_post(client, "conversations", pairs).status_code == 200
    assert WebhookEvent.objects.get().params == [list(pair) for pair in pairs]


def test_two_different_events_are_both_stored(client):
    post_fixture(client, TEXT)
    post_fixture(client, TEXT, MessageSid="IM" + "ab" * 16, Index="9")
    assert WebhookEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_store_one_event():
    pairs = fixture_pairs(TEXT)
    results, barrier = [], threading.Barrier(6)

    def deliver():
        try:
            barrier.wait()
            results.append(signed_post(Client(), "conversations", pairs).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 6
    assert WebhookEvent.objects.count() == 1


# Event kinds


def test_unknown_event_type_is_stored_and_kept_unhandled(client, django_capture_on_commit_callbacks):
    pairs = [
        ("AccountSid", "AC" + "5e" * 16),
        ("EventType", "onSomethingTwilioAddsLater"),
        ("Source", "API"),
        ("ConversationSid", "CH" + "0f" * 16),
        ("Novelty", "value"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "conversations", pairs)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.event_type == "onSomethingTwilioAddsLater"
    assert event.processing_state == ProcessingState.UNHANDLED
    assert event.conversation_sid == "CH" + "0f" * 16
    assert event.params == [list(pair) for pair in pairs]


def test_pre_event_is_answered_empty_and_never_applied(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_fixture(client, "conversations__onMessageAdd__pre")
    assert response.status_code == 200 and response.content == b""  # publish unchanged
    assert WebhookEvent.objects.get().processing_state == ProcessingState.IGNORED
    assert callbacks == []  # nothing to wake the inbox for


def test_messaging_answers_empty_twiml(client):
    response = post_fixture(client, "messaging__sms")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response></Response>")


# Methods and sizes


@pytest.mark.parametrize("endpoint", PATHS)
@pytest.mark.parametrize("method", ["get", "put", "delete", "head"])
def test_only_post_is_allowed(client, endpoint, method):
    response = getattr(client, method)(PATHS[endpoint])
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("endpoint", PATHS)
def test_body_over_the_cap_is_refused_with_413(client, settings, endpoint):
    name = ENDPOINT_FIXTURES[endpoint]
    pairs = [*fixture_pairs(name), ("Padding", "x" * (settings.WEBHOOK_MAX_BODY_BYTES + 1))]
    response = signed_post(client, endpoint, pairs)
    assert response.status_code == 413
    assert str(settings.WEBHOOK_MAX_BODY_BYTES) in response.content.decode()
    assert WebhookEvent.objects.count() == 0
    assert counters() == {"too_large": 1}


def test_body_just_under_the_cap_is_accepted(client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 4096
    from urllib.parse import urlencode

    pairs = fixture_pairs(TEXT)
    room = 4096 - len(urlencode([*pairs, ("Body", "")])) - len("&Padding=")
    response = signed_post(client, "conversations", [*pairs, ("Padding", "y" * room)])
    assert response.status_code == 200


# Malformed (signed, so it gets as far as parsing)


def _signed_without(name, *keys, **replace):
    return [(k, v) for k, v in fixture_pairs(name, **replace) if k not in keys]


MALFORMED = [
    ("conversations", _signed_without(TEXT, "EventType"), "EventType is missing"),
    ("conversations", fixture_pairs(TEXT, EventType=""), "EventType is missing"),
    ("conversations", fixture_pairs(TEXT, EventType="on Message Added"), "EventType is not an event name"),
    ("conversations", fixture_pairs(TEXT, EventType="onMessageAdded\n"), "EventType is not an event name"),
    ("conversations", fixture_pairs(TEXT, EventType="x" * 65), "EventType is not an event name"),
    ("conversations", _signed_without(TEXT, "MessageSid"), "MessageSid is missing"),
    ("conversations", fixture_pairs(TEXT, ConversationSid="CH123"), "ConversationSid is not a Twilio SID"),
    ("conversations", fixture_pairs(TEXT, ConversationSid="CH" + "0g" * 16), "ConversationSid is not a Twilio SID"),
    ("conversations", fixture_pairs(TEXT, MessageSid="IM" + "ab" * 16 + "\n"), "MessageSid is not a Twilio SID"),
    (
        "conversations",
        _signed_without("conversations__onDeliveryUpdated__read", "DeliveryReceiptSid"),
        "DeliveryReceiptSid is missing",
    ),
    ("conversations", fixture_pairs(TEXT, Body="null\x00byte"), "NUL character"),
    ("conversations", [], "no form parameters"),
    ("messaging", _signed_without("messaging__sms", "MessageSid"), "MessageSid is missing"),
    ("messaging", fixture_pairs("messaging__sms", MessageSid="SM-not-a-sid"), "MessageSid is not a Twilio SID"),
    ("status", _signed_without("status__failed", "MessageStatus"), "MessageStatus is missing"),
    ("status", _signed_without("status__failed", "MessageSid"), "MessageSid is missing"),
]


@pytest.mark.parametrize(
    ("endpoint", "pairs", "reason"), MALFORMED, ids=[f"{reason}-{i}" for i, (_, _, reason) in enumerate(MALFORMED)]
)
def test_malformed_event_is_refused_with_its_reason(client, endpoint, pairs, reason):
    response = signed_post(client, endpoint, pairs)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert WebhookEvent.objects.count() == 0
    assert counters() == {"malformed": 1}


def test_unreadable_multipart_body_is_a_400_not_a_500(client):
    response = client.generic(
        "POST",
        PATHS["conversations"],
        b"--x\r\nnot really multipart",
        content_type="multipart/form-data; boundary=",
        HTTP_X_TWILIO_SIGNATURE="anything",
    )
    assert response.status_code == 400
    assert counters() == {"malformed": 1}


def test_form_in_another_charset_than_utf8_is_refused(client):
    body = "EventType=onMessageAdded&Body=caf\xe9".encode("latin-1")
    response = client.generic(
        "POST",
        PATHS["conversations"],
        body,
        content_type="application/x-www-form-urlencoded; charset=latin-1",
        HTTP_X_TWILIO_SIGNATURE="anything",
    )
    assert response.status_code == 400
    assert counters() == {"malformed": 1}


def test_too_many_fields_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    pairs = [*fixture_pairs(TEXT), *((f"Extra{n}", "v") for n in range(60))]
    response = signed_post(client, "conversations", pairs)
    assert response.status_code == 400
    assert counters() == {"malformed": 1}


def test_each_refusal_counts_with_its_time(client):
    signed_post(client, "conversations", fixture_pairs(TEXT), signature="wrong")
    signed_post(client, "status", fixture_pairs("status__sent"), signature="wrong")
    signed_post(client, "conversations", _signed_without(TEXT, "EventType"))
    assert counters() == {"bad_signature": 2, "malformed": 1}
    assert all(row.last_at is not None for row in WebhookRejection.objects.all())
    assert WebhookEvent.objects.count() == 0


# The log line of a refusal

SECRET_BODY = "my door code is 4417 and my number +15017122661"


@pytest.mark.parametrize("case", ["bad_signature", "malformed", "too_large"])
def test_refusal_log_names_the_reason_but_not_the_body(client, settings, caplog, case):
    pairs = fixture_pairs(TEXT, Body=SECRET_BODY)
    if case == "malformed":
        pairs = [(k, v) for k, v in pairs if k != "MessageSid"]
    if case == "too_large":
        settings.WEBHOOK_MAX_BODY_BYTES = 200
    with caplog.at_level(logging.DEBUG):
        response = signed_post(client, "conversations", pairs, signature="wrong" if case == "bad_signature" else None)
    assert response.status_code in (400, 403, 413)
    refusals = [r for r in caplog.records if r.name == views.logger.name]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING
    line = refusals[0].getMessage()
    assert PATHS["conversations"] in line
    for secret in ("4417", "15017122661", "door", fixture_pairs(TEXT)[3][1]):
        assert secret not in caplog.text
        assert secret not in response.content.decode()


# CSRF: the webhooks need no token (the signature is the proof); nothing else is exempt.


@pytest.mark.parametrize("endpoint", PATHS)
def test_webhooks_work_with_csrf_checks_enforced(endpoint):
    client = Client(enforce_csrf_checks=True)
    name = ENDPOINT_FIXTURES[endpoint]
    assert post_fixture(client, name).status_code == 200
    assert WebhookEvent.objects.filter(source=endpoint).count() == 1


def test_csrf_is_enforced_elsewhere(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/admin/conversations_ops/conversation/add/", {"unique_name": "x"})
    assert response.status_code == 403


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_other_view_is_csrf_exempt():
    """Only the three webhook views skip CSRF. The simulator's fake Twilio API is
    exempt too (Twilio's REST API takes Basic auth, not cookies); production
    settings never install it (tests/test_settings.py)."""
    exempt = {route: view for route, view in _views(get_resolver().url_patterns) if getattr(view, "csrf_exempt", False)}
    webhook_views = {views.conversations, views.messaging, views.status}
    outside_simulator = {route: view for route, view in exempt.items() if not route.startswith("simulator/")}
    assert set(outside_simulator.values()) == webhook_views, sorted(outside_simulator)
    assert all(
        view.__module__.startswith("simulator.") for route, view in exempt.items() if route.startswith("simulator/")
    )


def test_every_fixture_endpoint_is_a_real_route():
    assert {name.split("__")[0] for name in fixture_names()} == set(PATHS)
    for path in PATHS.values():
        assert sign(path, [("a", "b")])
