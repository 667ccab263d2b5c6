"""A fresh worker heartbeat; the rows that make /health/ pass or fail are built by tests/health/helpers.py."""

import pytest

from conversations_ops.health.heartbeat import heartbeat_record
from conversations_ops.models import WorkerHeartbeat


@pytest.fixture
def fresh_heartbeat(db):
    heartbeat_record()
    return WorkerHeartbeat.objects.get()
