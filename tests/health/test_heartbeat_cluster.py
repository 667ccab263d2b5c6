"""A real django-q2 cluster (another process, the configured broker) beats, and /health/ reads it."""

import os
import signal
from types import SimpleNamespace

import pytest
from django_q.tasks import async_task

from conversations_ops.models import WorkerHeartbeat
from tests.sync.cluster import Cluster, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NOWHERE = SimpleNamespace(url="http://127.0.0.1:9", api_base="http://127.0.0.1:9/simulator")  # no Twilio needed


def test_the_heartbeat_task_run_by_a_real_worker_makes_health_pass(client, monkeypatch, tmp_path):
    from django_q.conf import Conf

    assert client.get("/health/").json()["failing"] == ["worker_heartbeat"]
    monkeypatch.setattr(Conf, "SYNC", False)  # into the broker, for the cluster
    async_task("conversations_ops.health.heartbeat.heartbeat_scheduled")
    log = tmp_path / "qcluster.log"
    cluster = Cluster(NOWHERE, log)
    try:
        wait_for(WorkerHeartbeat.objects.exists, 60, "the worker's heartbeat", log)
    finally:
        cluster.kill(signal.SIGTERM)
    beat = WorkerHeartbeat.objects.get()
    assert beat.pid not in (0, os.getpid(), cluster.process.pid)  # written by a worker process
    response = client.get("/health/")
    assert response.status_code == 200, response.json()
