"""Queue operations the way services do, drain the outbox, and set the simulator's faults."""

import time

import requests
from django.db import transaction

from conversations_ops.models import OperationState, SyncOperation
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.outbox.runner import sync_push_due

BUSINESS_WA = "whatsapp:+14155550100"
BUSINESS_SMS = "+14155550101"


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
