"""The push tests' own fixture; `sim` and `fail_next` are shared (tests/plugins/outbox.py),
the helpers that queue and drain are in tests/sync/helpers.py."""

import pytest


@pytest.fixture
def held_tasks(monkeypatch):
    """Queued operations are NOT run on commit; their ids collect here (a broker nobody reads)."""
    from conversations_ops.outbox import queue as outbox

    held = []
    monkeypatch.setattr(outbox, "async_task", lambda func, pk, **kwargs: held.append(pk))
    return held
