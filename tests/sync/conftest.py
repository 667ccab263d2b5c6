"""Helpers for the push tests: queue operations the way services do, drain the outbox.

Tests build mirror rows with `objects.create` and queue with
`sync_operation_queue` inside `transaction.atomic()`, as a service would. In
test settings django-q2 runs tasks inline (`sync`), so committing the
transaction runs the operation right there.
"""

import time

import pytest
import requests
from django.db import transaction

from conversations_ops.models import OperationState, SyncOperation
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.outbox.runner import sync_push_due
from simulator.engine import ratelimit
from tests.simulator.conftest import simulator  # noqa: F401  (the live simulator fixture)

BUSINESS_WA = "whatsapp:+14155550100"
BUSINESS_SMS = "+14155550101"


@pytest.fixture
def sim(simulator, settings):
    """The live simulator, fresh rate-limit windows, and retries fast enough for tests."""
    settings.SYNC_RETRY_BASE_SECONDS = 0.05
    settings.SYNC_RETRY_CAP_SECONDS = 0.4
    ratelimit.reset()
    yield simulator
    faults(simulator, None)


def faults(sim, config: dict | None) -> None:
    """Sets (dict) or clears (None) the simulator's fault injection."""
    url = f"{sim.api_base}/_control/faults"
    response = requests.post(url, json=config, timeout=10) if config else requests.delete(url, timeout=10)
    assert response.status_code == 200, response.text


def rate_limited(sim) -> int:
    return requests.get(f"{sim.api_base}/_control/ratelimit", timeout=10).json()["rate_limited"]


def queue(row, operation: str, payload: dict | None = None) -> SyncOperation:
    """Queues one operation for an existing row; it runs when the block commits."""
    with transaction.atomic():
        op = sync_operation_queue(target=row, operation=operation, payload=payload)
    op.refresh_from_db()
    return op


def drain(timeout: float = 60.0) -> None:
    """Runs due operations until none is pending (backoffs that went back to the outbox)."""
    deadline = time.monotonic() + timeout
    while SyncOperation.objects.filter(state__in=(OperationState.PENDING, OperationState.RUNNING)).exists():
        assert time.monotonic() < deadline, list(SyncOperation.objects.values("id", "operation", "state"))
        sync_push_due()
        time.sleep(0.05)


def refreshed(*rows):
    for row in rows:
        row.refresh_from_db()
    return rows[0] if len(rows) == 1 else rows


@pytest.fixture
def fail_next(sim, monkeypatch, settings):
    """`fail_next("503", "lost_response", path="/Messages")`: the next matching REST
    calls meet these faults, in this order; later ones pass."""
    from simulator import faults as sim_faults

    settings.TWILIO_HTTP_TIMEOUT = 0.5

    def arm(*kinds, path: str = "", timeout_s: float = 1.0):
        faults(sim, {"rate": 1, "kinds": sorted(set(kinds)), "paths": [path] if path else [], "timeout_s": timeout_s})
        planned = list(kinds)
        monkeypatch.setattr(sim_faults, "_pick", lambda config: planned.pop(0) if planned else None)
        return planned

    return arm


@pytest.fixture
def held_tasks(monkeypatch):
    """Queued operations are NOT run on commit; their ids collect here (a broker nobody reads)."""
    from conversations_ops.outbox import queue as outbox

    held = []
    monkeypatch.setattr(outbox, "async_task", lambda func, pk, **kwargs: held.append(pk))
    return held
