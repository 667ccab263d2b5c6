"""/metrics: off by default, behind a bearer token when one is set, numbers read from the rows."""

import math

import pytest
from django.db import OperationalError, connection
from prometheus_client.parser import text_string_to_metric_families

from conversations_ops.health import counters
from conversations_ops.models import MetricCounter, OperationState, ProcessingState, WebhookRejection, WorkerHeartbeat
from tests.health.helpers import ago, make_event, make_operation

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN
    return settings


def scrape(client, token=TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/metrics", **headers)


def samples(response) -> dict:
    """{(sample name, frozenset of labels): value} from the exposition text."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found, name, **labels):
    return found[(name, frozenset(labels.items()))]


def test_metrics_are_off_by_default(client, settings):
    settings.METRICS_ENABLED = False
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client).status_code == 404
    assert scrape(client, token=None).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_a_scrape_without_the_right_token_is_refused(client, metrics_on, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert TOKEN not in response.content.decode()
    assert b"conversations_ops_" not in response.content


def test_without_a_token_an_enabled_endpoint_answers_anyone(client, settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = ""
    assert scrape(client, token=None).status_code == 200


def test_the_numbers_are_the_rows(client, metrics_on):
    # Webhook events: four old enough to be tallied, then two after the tally.
    make_event(state=ProcessingState.PROCESSED, received=ago(minutes=10))
    make_event(state=ProcessingState.PROCESSED, received=ago(minutes=10))
    make_event(source="messaging", received=ago(minutes=7))  # the oldest still waiting
    make_event(source="status", state=ProcessingState.FAILED, received=ago(minutes=5))
    counters.received_tally_advance()
    tally = dict(MetricCounter.objects.filter(name__startswith="webhook_received:").values_list("name", "value"))
    assert tally == {"webhook_received:conversations": 2, "webhook_received:messaging": 1, "webhook_received:status": 1}
    make_event()
    make_event(source="messaging")
    WebhookRejection.objects.create(reason="bad_signature", count=4)
    WebhookRejection.objects.create(reason="malformed", count=1)

    # The outbox.
    make_operation(due=ago(minutes=3), last_error_status=429, last_error_code=20429)
    make_operation(due=ago(minutes=-30))
    make_operation(state=OperationState.RUNNING, locked_until=ago(seconds=-60))
    for _ in range(4):
        make_operation(state=OperationState.SUCCEEDED)
    make_operation(state=OperationState.SUCCEEDED, last_error_status=429, last_error_code=20429)  # retried, then ok
    make_operation(state=OperationState.FAILED, last_error_status=400, last_error_code=50416)
    make_operation(state=OperationState.FAILED, last_error_status=503, last_error_code=20503)
    make_operation(state=OperationState.CANCELLED)
    counters.counter_increment(counters.TWILIO_429)
    counters.counter_increment(counters.TWILIO_429)
    WorkerHeartbeat.objects.create(host="worker-1", beat_at=ago(seconds=42))

    found = samples(scrape(client))

    received = "conversations_ops_webhook_events_received_total"
    assert value(found, received, endpoint="conversations") == 3
    assert value(found, received, endpoint="messaging") == 2
    assert value(found, received, endpoint="status") == 1
    refused = "conversations_ops_webhook_requests_refused_total"
    assert value(found, refused, reason="bad_signature") == 4 and value(found, refused, reason="malformed") == 1
    assert value(found, "conversations_ops_webhook_inbox_backlog") == 3
    assert 7 * 60 - 1 <= value(found, "conversations_ops_webhook_inbox_lag_seconds") <= 7 * 60 + 30
    assert value(found, "conversations_ops_webhook_events_failed") == 1

    states = {
        state: value(found, "conversations_ops_outbox_operations", state=state)
        for state in ("pending", "running", "succeeded", "failed", "cancelled")
    }
    assert states == {"pending": 2, "running": 1, "succeeded": 5, "failed": 2, "cancelled": 1}
    errors = {
        (labels_of(key)["state"], labels_of(key)["twilio_code"], labels_of(key)["http_status"]): v
        for key, v in found.items()
        if key[0] == "conversations_ops_outbox_operations_with_error"
    }
    assert errors == {("pending", "20429", "429"): 1, ("failed", "50416", "400"): 1, ("failed", "20503", "503"): 1}
    assert value(found, "conversations_ops_outbox_pushes_completed_total") == 5
    assert value(found, "conversations_ops_outbox_twilio_429_total") == 2
    assert 3 * 60 - 1 <= value(found, "conversations_ops_outbox_oldest_due_seconds") <= 3 * 60 + 30
    assert 41 <= value(found, "conversations_ops_worker_heartbeat_age_seconds") <= 70


def labels_of(key) -> dict:
    return dict(key[1])


def test_an_empty_console_reports_zeros_and_no_heartbeat(client, metrics_on):
    found = samples(scrape(client))
    assert value(found, "conversations_ops_webhook_events_received_total", endpoint="status") == 0
    assert value(found, "conversations_ops_webhook_inbox_lag_seconds") == 0
    assert value(found, "conversations_ops_outbox_operations", state="failed") == 0
    assert value(found, "conversations_ops_outbox_pushes_completed_total") == 0
    assert value(found, "conversations_ops_outbox_twilio_429_total") == 0
    assert math.isinf(value(found, "conversations_ops_worker_heartbeat_age_seconds"))


def test_a_scrape_reads_no_whole_table(client, metrics_on, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        scrape(client)


def test_an_unreachable_database_answers_503(client, metrics_on, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server: postgres://ops:hunter2@db/ops")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = scrape(client)
    monkeypatch.undo()
    assert response.status_code == 503 and b"hunter2" not in response.content


# The per-endpoint tally (health/counters.py)


def test_the_tally_leaves_the_newest_minute_to_the_scrape_and_never_counts_twice(db):
    old = make_event(received=ago(minutes=2))
    make_event(received=ago(seconds=10))  # may still have a neighbour committing: not tallied yet
    counters.received_tally_advance()
    counters.received_tally_advance()
    row = MetricCounter.objects.get(name="webhook_received:conversations")
    assert (row.value, row.counted_up_to_id) == (1, old.pk)
    assert counters.received_totals() == {"conversations": 2, "messaging": 0, "status": 0}


def test_two_tallies_at_once_count_each_event_once(db, monkeypatch):
    for _ in range(3):
        make_event(source="status", received=ago(minutes=5))
    real = counters._counted_since
    state = {"nested": False}

    def another_run_gets_there_first(watermarks, up_to=None):
        counts = real(watermarks, up_to)
        if not state["nested"]:
            state["nested"] = True
            counters.received_tally_advance()  # moves the watermark under our feet
        return counts

    monkeypatch.setattr(counters, "_counted_since", another_run_gets_there_first)
    counters.received_tally_advance()
    monkeypatch.undo()
    assert MetricCounter.objects.get(name="webhook_received:status").value == 3
    assert counters.received_totals()["status"] == 3
