"""Refused webhooks are counted without a database write per request (issue 18, item 3).

A flood of forged or broken requests used to write a WebhookRejection UPDATE each,
competing with real events for SQLite's write lock. Now the gate counts in process
memory and a timer writes the tally at most every WEBHOOK_REFUSALS_FLUSH_SECONDS;
/metrics and the webhook events page read the rows after that flush.
"""

import threading

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from conversations_ops.models import WebhookRejection
from conversations_ops.webhooks import recording
from conversations_ops.webhooks.recording import webhook_refusals_flush, webhook_refusals_pending
from tests.health.test_metrics import TOKEN, samples, scrape, value
from tests.webhooks.fixtures import fixture_pairs
from tests.webhooks.signing import signed_post

pytestmark = pytest.mark.django_db

REFUSED = "conversations_ops_webhook_requests_refused_total"
TEXT = "conversations__onMessageAdded__text"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def refuse(client, times: int) -> None:
    """`times` requests with a wrong signature and one malformed (unsigned EventType missing) each 10th."""
    for n in range(times):
        if n % 10 == 9:
            response = signed_post(client, "conversations", [("ConversationSid", "CH" + "a" * 32)])
            assert response.status_code == 400
        else:
            response = signed_post(client, "conversations", fixture_pairs(TEXT), signature="forged")
            assert response.status_code == 403


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN


def test_a_hundred_refused_webhooks_write_nothing_and_are_counted_after_the_flush(client, metrics_on):
    with CaptureQueriesContext(connection) as during:
        refuse(client, 100)
    assert writes(during.captured_queries) == []
    assert not WebhookRejection.objects.exists()
    assert webhook_refusals_pending() == {"bad_signature": 90, "malformed": 10}

    with CaptureQueriesContext(connection) as flushing:
        assert webhook_refusals_flush() == 100
    assert len(writes(flushing.captured_queries)) <= 4  # per reason: an UPDATE, an INSERT the first time

    found = samples(scrape(client))
    assert value(found, REFUSED, reason="bad_signature") == 90
    assert value(found, REFUSED, reason="malformed") == 10
    assert webhook_refusals_pending() == {}


def test_a_second_flush_adds_to_the_rows(client):
    refuse(client, 3)
    webhook_refusals_flush()
    refuse(client, 2)
    webhook_refusals_flush()
    assert WebhookRejection.objects.get(reason="bad_signature").count == 5
    assert WebhookRejection.objects.get(reason="bad_signature").last_at is not None
    assert webhook_refusals_flush() == 0  # nothing new: no write


def test_the_first_refusal_after_a_flush_starts_the_flush_timer(client, settings, monkeypatch):
    settings.WEBHOOK_REFUSALS_FLUSH_SECONDS = 30.0
    started = []

    class RecordingTimer:
        def __init__(self, interval, function):
            self.interval, self.function, self.daemon = interval, function, False
            started.append(self)

        def start(self):
            pass

        def cancel(self):
            pass

    monkeypatch.setattr(threading, "Timer", RecordingTimer)
    refuse(client, 5)
    assert len(started) == 1  # one timer for the whole burst
    (timer,) = started
    assert timer.interval == 30.0 and timer.daemon  # never keeps a stopping process alive
    monkeypatch.setattr(recording.connections, "close_all", lambda: None)  # the test's own connection stays
    timer.function()  # what the timer thread runs when it fires
    assert WebhookRejection.objects.get(reason="bad_signature").count == 5
    refuse(client, 1)
    assert len(started) == 2  # the next refusal after the flush starts the next timer


def test_counts_that_could_not_be_written_are_kept_for_the_next_flush(client, monkeypatch):
    refuse(client, 4)

    def unavailable(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(recording, "write_transaction", unavailable)
    assert webhook_refusals_flush() == 0
    assert webhook_refusals_pending() == {"bad_signature": 4}
    monkeypatch.undo()
    assert webhook_refusals_flush() == 4
    assert WebhookRejection.objects.get(reason="bad_signature").count == 4
