"""GET /health/: 200 + JSON when the console is ready, 503 naming each failing check."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.utils import timezone

from conversations_ops.health import heartbeat
from conversations_ops.models import OperationState, ProcessingState, WorkerHeartbeat
from tests.health.helpers import CUSTOMER_NUMBER, ago, closed_port, make_event, make_operation

pytestmark = pytest.mark.django_db

CHECK_NAMES = ["database", "broker", "worker_heartbeat", "outbox", "inbox"]


def health(client):
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    by_name = {check["name"]: check for check in body["checks"]}
    return response.status_code, body, by_name


def test_a_ready_console_answers_200_with_every_check_ok(client, fresh_heartbeat):
    make_operation(due=ago(minutes=1))  # due, but not for long
    make_event(received=ago(minutes=1))
    make_event(state=ProcessingState.PROCESSED, received=ago(hours=3))  # applied long ago: no backlog
    make_operation(state=OperationState.FAILED, due=ago(hours=3))  # finished: not waiting
    make_operation(due=timezone.now() + timedelta(hours=1))  # backing off: not due yet

    status, body, checks = health(client)

    assert status == 200
    assert body["status"] == "ok" and body["failing"] == []
    assert [check["name"] for check in body["checks"]] == CHECK_NAMES
    assert all(check == {"name": check["name"], "state": "ok"} for check in body["checks"])


def test_health_needs_no_login_and_is_never_cached(client, fresh_heartbeat):
    response = client.get("/health/")
    assert response.status_code == 200  # an anonymous client: not a redirect to the admin's login
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.head("/health/").status_code == 200


def test_no_heartbeat_ever_is_failing(client):
    status, body, checks = health(client)
    assert status == 503
    assert body["status"] == "failing" and body["failing"] == ["worker_heartbeat"]
    assert "no worker heartbeat recorded yet" in checks["worker_heartbeat"]["reason"]


def test_a_stale_heartbeat_is_failing_and_names_its_age(client, fresh_heartbeat):
    WorkerHeartbeat.objects.update(beat_at=ago(minutes=3))
    status, body, checks = health(client)
    assert status == 503 and body["failing"] == ["worker_heartbeat"]
    assert checks["worker_heartbeat"] == {
        "name": "worker_heartbeat",
        "state": "failing",
        "reason": "no worker heartbeat for 3 min (limit 2 min)",
    }
    assert checks["database"]["state"] == checks["outbox"]["state"] == "ok"


def test_the_newest_heartbeat_of_several_hosts_counts(client, fresh_heartbeat):
    WorkerHeartbeat.objects.update(beat_at=ago(minutes=30))
    WorkerHeartbeat.objects.create(host="worker-2", beat_at=ago(seconds=20))
    assert health(client)[0] == 200


def test_the_heartbeat_limit_is_a_setting(client, fresh_heartbeat, settings):
    WorkerHeartbeat.objects.update(beat_at=ago(seconds=90))
    assert health(client)[0] == 200
    settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE = 60
    status, body, checks = health(client)
    assert status == 503 and checks["worker_heartbeat"]["reason"] == "no worker heartbeat for 90 s (limit 60 s)"


def test_a_push_due_11_minutes_ago_is_failing(client, fresh_heartbeat):
    make_operation(due=ago(minutes=11))
    status, body, checks = health(client)
    assert status == 503 and body["failing"] == ["outbox"]
    assert checks["outbox"]["reason"] == "oldest due push waited 11 min (limit 10 min)"


def test_a_push_due_9_minutes_ago_is_not_yet(client, fresh_heartbeat):
    make_operation(due=ago(minutes=9))
    assert health(client)[0] == 200


def test_a_running_push_whose_lease_ran_out_long_ago_is_failing(client, fresh_heartbeat):
    # Its worker died; the sweep (no worker takes it either) has not handed it back.
    make_operation(state=OperationState.RUNNING, due=ago(minutes=30), locked_until=ago(minutes=12))
    make_operation(state=OperationState.RUNNING, due=ago(minutes=30), locked_until=ago(minutes=-1))  # a live one
    status, body, checks = health(client)
    assert status == 503 and body["failing"] == ["outbox"]
    assert checks["outbox"]["reason"] == "oldest due push waited 12 min (limit 10 min)"


def test_an_inbox_event_waiting_6_minutes_is_failing(client, fresh_heartbeat):
    make_event(received=ago(minutes=6))
    make_event(received=ago(seconds=5))
    status, body, checks = health(client)
    assert status == 503 and body["failing"] == ["inbox"]
    assert checks["inbox"]["reason"] == "oldest webhook event waiting to be applied arrived 6 min ago (limit 5 min)"


def test_an_inbox_event_waiting_4_minutes_is_not_yet(client, fresh_heartbeat):
    make_event(received=ago(minutes=4))
    make_event(state=ProcessingState.FAILED, received=ago(hours=1))  # given up: shown elsewhere, not a backlog
    assert health(client)[0] == 200


def test_every_failing_check_is_named_at_once(client, fresh_heartbeat):
    WorkerHeartbeat.objects.update(beat_at=ago(minutes=5))
    make_operation(due=ago(minutes=20))
    make_event(received=ago(minutes=20))
    status, body, checks = health(client)
    assert status == 503
    assert body["failing"] == ["worker_heartbeat", "outbox", "inbox"]


DSN = "postgres://ops:hunter2-db-password@db.internal:5432/ops"


def test_an_unreachable_database_is_failing_without_its_error_text(client, fresh_heartbeat, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError(f"could not connect to server: {DSN}")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/health/")
    monkeypatch.undo()

    body = response.json()
    checks = {check["name"]: check for check in body["checks"]}
    assert response.status_code == 503
    assert checks["database"] == {
        "name": "database",
        "state": "failing",
        "reason": "the database did not answer a SELECT 1",
    }
    # Everything read from the database fails with it (the ORM broker is the database; Redis is not).
    on_redis = "redis" in django_settings.Q_CLUSTER
    assert body["failing"] == [name for name in CHECK_NAMES if not (on_redis and name == "broker")]
    assert checks["outbox"]["reason"] == "could not read the outbox: the database failed"
    assert "hunter2" not in response.content.decode() and "db.internal" not in response.content.decode()


def test_an_unreachable_redis_broker_is_failing(client, fresh_heartbeat, settings):
    port = closed_port()
    url = f"redis://:hunter2-redis-password@127.0.0.1:{port}/0"
    settings.REDIS_URL = url
    settings.Q_CLUSTER = {**{k: v for k, v in settings.Q_CLUSTER.items() if k != "orm"}, "redis": url}
    settings.HEALTH_BROKER_TIMEOUT = 1.0
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503 and body["failing"] == ["broker"]
    assert body["checks"][1] == {
        "name": "broker",
        "state": "failing",
        "reason": "Redis (the task broker) did not answer PING",
    }
    assert "hunter2" not in response.content.decode() and str(port) not in response.content.decode()


def test_the_orm_broker_is_checked_by_reading_its_queue_table(client, fresh_heartbeat, settings, monkeypatch):
    if "redis" in django_settings.Q_CLUSTER:
        settings.Q_CLUSTER = {**{k: v for k, v in settings.Q_CLUSTER.items() if k != "redis"}, "orm": "default"}
        settings.REDIS_URL = ""
    from django_q.models import OrmQ

    def unreadable(*args, **kwargs):
        raise OperationalError("no such table: django_q_ormq")

    monkeypatch.setattr(OrmQ.objects, "using", unreadable)
    status, body, checks = health(client)
    assert status == 503 and body["failing"] == ["broker"]
    assert checks["broker"]["reason"] == "could not read the task queue table: the database failed"


PHONE = re.compile(r"\+?\d[\d\s•]{7,}\d")


def test_the_json_holds_no_number_sid_or_secret(client, settings, fresh_heartbeat):
    WorkerHeartbeat.objects.update(beat_at=ago(minutes=50))
    make_operation(
        due=ago(minutes=30),
        last_error_message=f"Participant whatsapp:{CUSTOMER_NUMBER} refused",
        result_sid="CH" + "a" * 32,
    )
    make_event(received=ago(minutes=30))
    response = client.get("/health/")
    text = response.content.decode()
    assert response.status_code == 503 and len(response.json()["failing"]) == 3
    assert CUSTOMER_NUMBER not in text and CUSTOMER_NUMBER[-4:] not in text
    assert not PHONE.search(text), text
    assert not re.search(r"\b(CH|IM|MB|AC|IS)[0-9a-f]{32}\b", text)
    for secret in (settings.TWILIO_AUTH_TOKEN, settings.SECRET_KEY, settings.TWILIO_ACCOUNT_SID):
        assert secret not in text


# The heartbeat: what the worker writes is what /health/ reads.


def test_the_scheduled_heartbeat_task_makes_health_pass(client):
    from django_q.models import Schedule
    from django_q.tasks import async_task

    from conversations_ops.schedules import SCHEDULES, schedules_ensure

    assert health(client)[0] == 503
    schedules_ensure()
    schedule = Schedule.objects.get(name="health-heartbeat")
    assert (schedule.minutes, schedule.repeats) == (1, -1)
    # The schedule's function run the way the scheduler has a worker run it (inline in tests).
    async_task(schedule.func)
    status, body, checks = health(client)
    assert status == 200, body
    assert WorkerHeartbeat.objects.get().pid > 0
    assert "metrics-tally" in SCHEDULES and Schedule.objects.filter(name="metrics-tally").exists()


def test_the_schedule_forgets_hosts_silent_for_a_day(db):
    WorkerHeartbeat.objects.create(host="replaced-container", beat_at=ago(days=2))
    WorkerHeartbeat.objects.create(host="other-live-host", beat_at=ago(minutes=1))
    heartbeat.heartbeat_scheduled()
    assert set(WorkerHeartbeat.objects.values_list("host", flat=True)) == {"other-live-host", heartbeat._host()}


def test_a_worker_beats_when_it_starts_a_task_at_most_every_30_seconds(db, settings, monkeypatch):
    from django_q.signals import pre_execute

    monkeypatch.setitem(heartbeat._last_signal_beat, "at", float("-inf"))
    settings.Q_CLUSTER = {k: v for k, v in settings.Q_CLUSTER.items() if k != "sync"}  # a real cluster's worker
    pre_execute.send(sender="django_q", func=print, task={})
    first = WorkerHeartbeat.objects.get().beat_at
    pre_execute.send(sender="django_q", func=print, task={})
    assert WorkerHeartbeat.objects.get().beat_at == first  # throttled
    monkeypatch.setitem(heartbeat._last_signal_beat, "at", heartbeat._last_signal_beat["at"] - 31)
    pre_execute.send(sender="django_q", func=print, task={})
    assert WorkerHeartbeat.objects.get().beat_at > first


def test_a_worker_beats_as_soon_as_it_is_spawned(db, settings, monkeypatch):
    """A fresh deployment is ready once a worker runs, not after the first scheduled beat."""
    from django_q.signals import post_spawn

    monkeypatch.setitem(heartbeat._last_signal_beat, "at", float("-inf"))
    settings.Q_CLUSTER = {k: v for k, v in settings.Q_CLUSTER.items() if k != "sync"}
    assert not WorkerHeartbeat.objects.exists()
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert WorkerHeartbeat.objects.get().host == heartbeat._host()


def test_tasks_run_inline_are_no_heartbeat(db, settings, monkeypatch):
    from django_q.signals import pre_execute

    monkeypatch.setitem(heartbeat._last_signal_beat, "at", float("-inf"))
    assert settings.Q_CLUSTER.get("sync")
    pre_execute.send(sender="django_q", func=print, task={})
    assert not WorkerHeartbeat.objects.exists()


def test_a_heartbeat_that_cannot_be_written_does_not_stop_the_task(db, settings, monkeypatch):
    monkeypatch.setitem(heartbeat._last_signal_beat, "at", float("-inf"))
    settings.Q_CLUSTER = {k: v for k, v in settings.Q_CLUSTER.items() if k != "sync"}

    def broken():
        raise OperationalError("database is locked")

    monkeypatch.setattr(heartbeat, "heartbeat_record", broken)
    heartbeat.on_task_start(sender="django_q")  # logs, does not raise


# Production: the load balancer's plain-HTTP probe is answered, not redirected.


@pytest.mark.slow  # reads the production settings in a fresh process
def test_production_does_not_redirect_the_health_check_to_https(client, fresh_heartbeat, settings):
    from tests.helpers.production import PRODUCTION_ENV, run

    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'redirect': s.SECURE_SSL_REDIRECT, 'exempt': s.SECURE_REDIRECT_EXEMPT}))"
    )
    result = run(["-c", script], "config.settings.production", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout)
    assert production["redirect"] is True

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = production["exempt"]
    assert client.get("/health/").status_code == 200
    assert client.get("/admin/").status_code == 301  # everything else still goes to HTTPS
    assert client.get("/health/", secure=True).status_code == 200


def test_a_failing_probe_logs_one_warning_and_mails_nobody(client, caplog):
    import logging

    make_operation(due=ago(minutes=11))
    with caplog.at_level(logging.INFO):
        assert client.get("/health/").status_code == 503
    mine = [record for record in caplog.records if record.name == "conversations_ops.health.views"]
    assert [record.levelname for record in mine] == ["WARNING"]
    assert "worker_heartbeat: no worker heartbeat recorded yet" in mine[0].getMessage()
    assert "outbox: oldest due push waited 11 min" in mine[0].getMessage()
    # django.request would log the 503 at ERROR, and the "django" logger mails ERRORs to the admins.
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
