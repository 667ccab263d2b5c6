"""The Prometheus collector: every number is read from the database at scrape time.

Nothing is counted in process memory, so every gunicorn worker process on every
machine answers the same numbers, a restart resets nothing, and Prometheus may
scrape any of them. A scrape costs about a dozen queries, each on an index or a
small table (docs/monitoring.md lists them):

- outbox by state: one GROUP BY over `syncop_due_idx` (state, next_attempt_at),
  read from the index alone; by error: only the open and failed operations
  (a range of that index), grouped by code and status;
- inbox: `webhookevent_inbox` (processing_state, id) for the backlog, its age
  and the failed count; received per endpoint: the tally rows plus a primary-key
  range (health/counters.py); refused: the few WebhookRejection rows (each web process
  writes its in-memory tally there every WEBHOOK_REFUSALS_FLUSH_SECONDS: webhooks/recording.py);
- heartbeat, 429s: a few rows.
"""

import math

from django.db.models import Count
from django.utils import timezone
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from conversations_ops.health import counters, readings
from conversations_ops.health.heartbeat import heartbeat_latest
from conversations_ops.models import OperationState, SyncOperation, WebhookRejection

PREFIX = "conversations_ops"


class ConsoleCollector:
    """A custom collector (prometheus_client calls `collect()` at each scrape)."""

    def collect(self):
        now = timezone.now()
        yield from self._webhooks(now)
        yield from self._outbox(now)
        yield self._heartbeat(now)

    def _webhooks(self, now):
        received = CounterMetricFamily(
            f"{PREFIX}_webhook_events_received",
            "Webhook events stored, per endpoint (repeated deliveries once).",
            labels=["endpoint"],
        )
        for endpoint, count in sorted(counters.received_totals().items()):
            received.add_metric([endpoint], count)
        yield received

        refused = CounterMetricFamily(
            f"{PREFIX}_webhook_requests_refused",
            "Webhook requests refused (nothing stored), per reason: bad_signature, malformed, too_large.",
            labels=["reason"],
        )
        for reason, count in WebhookRejection.objects.order_by("reason").values_list("reason", "count"):
            refused.add_metric([reason], count)
        yield refused

        yield GaugeMetricFamily(
            f"{PREFIX}_webhook_inbox_backlog",
            "Webhook events waiting to be applied to the mirror.",
            value=readings.inbox_backlog(),
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_webhook_inbox_lag_seconds",
            "Age of the oldest webhook event waiting to be applied (0 when the inbox is empty).",
            value=readings.seconds_since(readings.inbox_oldest_pending(), now),
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_webhook_events_failed",
            "Webhook events whose application failed for good.",
            value=readings.inbox_failed(),
        )

    def _outbox(self, now):
        by_state = dict.fromkeys(OperationState.values, 0)
        # COUNT(*), not COUNT(id): the (state, next_attempt_at) index answers it alone.
        by_state.update(SyncOperation.objects.order_by().values_list("state").annotate(n=Count("*")))
        states = GaugeMetricFamily(
            f"{PREFIX}_outbox_operations", "Outbox operations (pushes to Twilio) by state.", labels=["state"]
        )
        for state, count in sorted(by_state.items()):
            states.add_metric([state], count)
        yield states

        errors = GaugeMetricFamily(
            f"{PREFIX}_outbox_operations_with_error",
            "Pending, running and failed outbox operations by their last error: Twilio code and HTTP status "
            "('none' when absent, e.g. a timeout).",
            labels=["state", "twilio_code", "http_status"],
        )
        rows = (
            SyncOperation.objects.order_by()
            .filter(readings.HAS_ERROR, state__in=readings.OPEN_OR_FAILED)
            .values_list("state", "last_error_code", "last_error_status")
            .annotate(n=Count("*"))
        )
        for state, code, status, count in sorted(rows, key=lambda row: tuple(str(value) for value in row)):
            errors.add_metric([state, _label(code), _label(status)], count)
        yield errors

        yield CounterMetricFamily(
            f"{PREFIX}_outbox_pushes_completed",
            "Outbox operations that succeeded on Twilio; rate() gives pushes/s.",
            value=by_state[OperationState.SUCCEEDED],
        )
        yield CounterMetricFamily(
            f"{PREFIX}_outbox_twilio_429",
            "429 Too Many Requests answers Twilio gave the outbox (each try).",
            value=counters.counter_value(counters.TWILIO_429),
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_due_seconds",
            "How long the longest-waiting due, unfinished push has been due (0 when none is).",
            value=readings.seconds_since(readings.outbox_oldest_due(now), now),
        )

    def _heartbeat(self, now):
        latest = heartbeat_latest()
        return GaugeMetricFamily(
            f"{PREFIX}_worker_heartbeat_age_seconds",
            "Seconds since a django-q2 worker last beat (+Inf when none ever did).",
            value=math.inf if latest is None else readings.seconds_since(latest, now),
        )


def _label(value) -> str:
    return "none" if value is None else str(value)


def metrics_registry() -> CollectorRegistry:
    """A registry of our collector alone (not the default one, whose process and
    platform metrics describe one gunicorn process, not the console)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ConsoleCollector())
    return registry
