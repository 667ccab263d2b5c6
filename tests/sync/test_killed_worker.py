"""A real django-q2 cluster killed (-9) in the middle of creating a conversation:
after the lease, the sweep hands the operation to a new cluster, which finds the
conversation the dead worker made. Twilio ends up with ONE conversation."""

import signal

import pytest
from django.db import transaction
from django.utils import timezone

from conversations_ops.models import Conversation, OperationState, SyncOperation, SyncState
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.outbox.runner import sync_sweep
from simulator.models import SimConversation
from tests.sync.cluster import Cluster, wait_for
from tests.sync.helpers import faults, refreshed

pytestmark = pytest.mark.slow


def test_a_worker_killed_mid_call_leaves_one_conversation(sim, monkeypatch, tmp_path):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue into the broker, for the cluster
    # The create is carried out, then its answer is held (6 s, over by the end of
    # the test; the worker would wait 20): the worker is inside the call.
    faults(sim, {"rate": 1, "kinds": ["lost_response"], "paths": ["/Conversations"], "timeout_s": 6})
    with transaction.atomic():
        row = Conversation.objects.create(friendly_name="Order K9")
        op = sync_operation_queue(target=row, operation="conversation.create")
    log = tmp_path / "qcluster.log"
    first = Cluster(sim, log)
    try:
        wait_for(
            lambda: SimConversation.objects.exists() and refreshed(op).state == OperationState.RUNNING,
            60,
            "the worker to be inside the create call",
            log,
        )
    finally:
        first.kill()  # kill -9, mid-call
    faults(sim, None)
    op = refreshed(op)
    assert (op.state, op.result_sid, refreshed(row).sid) == (OperationState.RUNNING, "", "")

    wait_for(lambda: refreshed(op).locked_until < timezone.now(), 10, "the lease to expire", log)
    assert sync_sweep()["reclaimed"] == 1
    second = Cluster(sim, log)
    try:
        wait_for(
            lambda: refreshed(op).state != OperationState.PENDING and refreshed(op).state != OperationState.RUNNING,
            60,
            "the new cluster to run the operation",
            log,
        )
    finally:
        second.kill(signal.SIGTERM)

    op, row = refreshed(op), refreshed(row)
    assert (op.state, op.outcome_unknown) == (OperationState.SUCCEEDED, True), op.last_error_message
    (made,) = SimConversation.objects.all()  # ONE conversation on Twilio
    assert (row.sid, row.sync_state, op.result_sid) == (made.sid, SyncState.SYNCED, made.sid)
    assert SyncOperation.objects.count() == 1
