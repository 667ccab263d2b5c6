"""A real django-q2 cluster killed (-9) in the middle of creating a conversation:
after the lease, the sweep hands the operation to a new cluster, which finds the
conversation the dead worker made. Twilio ends up with ONE conversation."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from conversations_ops.models import Conversation, OperationState, SyncOperation, SyncState
from conversations_ops.outbox.queue import sync_operation_queue
from conversations_ops.outbox.runner import sync_sweep
from simulator.models import SimConversation
from tests.sync.conftest import faults, refreshed

pytestmark = pytest.mark.slow
BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{os.environ['CONVERSATIONS_OPS_TEST_DB']}"
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Cluster:
    """`manage.py qcluster` in its own process group, logging to a file."""

    def __init__(self, sim, log: Path):
        env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.sync.qcluster_settings",
            DATABASE_URL=_database_url(),
            TWILIO_API_BASE_URL=sim.api_base,
            PUBLIC_BASE_URL=sim.url,
            DJANGO_DEBUG="false",
            # django-q2 signs queued tasks with the secret key: the same on both sides.
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
        )
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)  # the cluster and every worker it forked
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _wait(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; cluster log:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


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
        _wait(
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

    _wait(lambda: refreshed(op).locked_until < timezone.now(), 10, "the lease to expire", log)
    assert sync_sweep()["reclaimed"] == 1
    second = Cluster(sim, log)
    try:
        _wait(
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
