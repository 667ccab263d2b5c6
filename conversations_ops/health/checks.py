"""The checks behind GET /health/, as django-health-check 4.x check classes.

Each raises `ServiceUnavailable` with a short reason in plain words, written
here, never an exception's text: a database or Redis error can quote a host, a
user or a DSN with its password. The exception itself is chained, for the log.

Each check's work is the synchronous `probe()`: our view (views.py) runs the
probes one after another in the request's own thread, on its own database
connection (the library's async view would need an event loop per request
under WSGI, and would open a connection in each executor thread it uses).
`run()`, the library's entry point, runs the same probe, so the checks also
work with its own view and its `health_check` command.
"""

import dataclasses
import datetime
import typing

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_q.models import OrmQ
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import HealthCheckException, ServiceUnavailable

from conversations_ops.health import readings
from conversations_ops.health.heartbeat import heartbeat_latest


@dataclasses.dataclass
class ConsoleCheck(HealthCheck):
    """A check whose `check()` reads the database; a database failure is worded for it."""

    name: typing.ClassVar[str]
    # What could not be read when the database fails, e.g. "the outbox".
    subject: typing.ClassVar[str]

    async def run(self) -> None:
        await sync_to_async(self.probe, thread_sensitive=True)()

    def probe(self) -> None:
        try:
            self.check(timezone.now())
        except DatabaseError as exc:
            raise ServiceUnavailable(f"could not read {self.subject}: the database failed") from exc

    def check(self, now: datetime.datetime) -> None:
        raise NotImplementedError


@dataclasses.dataclass
class DatabaseCheck(Database):
    """The library's `SELECT 1` on the default database, with our wording."""

    name: typing.ClassVar[str] = "database"

    async def run(self) -> None:
        await sync_to_async(self.probe, thread_sensitive=True)()

    def probe(self) -> None:
        try:
            Database.run(self)
        except (HealthCheckException, DatabaseError) as exc:
            raise ServiceUnavailable("the database did not answer a SELECT 1") from exc


def redis_broker_config() -> str | dict | None:
    """django-q2's Redis connection (a URL or keyword arguments), or None on the ORM broker."""
    cluster = settings.Q_CLUSTER
    if cluster.get("redis"):
        return cluster["redis"]
    if "orm" not in cluster and settings.REDIS_URL:
        return settings.REDIS_URL
    return None


@dataclasses.dataclass
class BrokerCheck(ConsoleCheck):
    """django-q2's broker: Redis answers PING, or (ORM broker) its queue table can be read."""

    name: typing.ClassVar[str] = "broker"
    subject: typing.ClassVar[str] = "the task queue table"

    def probe(self) -> None:
        config = redis_broker_config()
        if config is None:
            super().probe()
            return
        # Imported here: only this path (the Redis broker) needs redis-py; the ORM
        # broker's deployments never load it.
        from redis import Redis
        from redis.exceptions import RedisError

        timeout = settings.HEALTH_BROKER_TIMEOUT
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        client = Redis(**{**config, **options}) if isinstance(config, dict) else Redis.from_url(config, **options)
        try:
            if not client.ping():
                raise ServiceUnavailable("Redis (the task broker) did not answer PING")
        except (RedisError, OSError) as exc:
            raise ServiceUnavailable("Redis (the task broker) did not answer PING") from exc
        finally:
            client.close()

    def check(self, now: datetime.datetime) -> None:
        alias = settings.Q_CLUSTER.get("orm", "default")
        list(OrmQ.objects.using(alias).values_list("id", flat=True)[:1])


@dataclasses.dataclass
class WorkerHeartbeatCheck(ConsoleCheck):
    """Some django-q2 worker beat within HEALTH_WORKER_HEARTBEAT_MAX_AGE (health/heartbeat.py)."""

    name: typing.ClassVar[str] = "worker_heartbeat"
    subject: typing.ClassVar[str] = "the worker heartbeat"

    def check(self, now: datetime.datetime) -> None:
        limit = settings.HEALTH_WORKER_HEARTBEAT_MAX_AGE
        latest = heartbeat_latest()
        if latest is None:
            raise ServiceUnavailable(
                "no worker heartbeat recorded yet: is the worker running, and was sync_schedule_setup run?"
            )
        age = readings.seconds_since(latest, now)
        if age > limit:
            raise ServiceUnavailable(
                f"no worker heartbeat for {readings.human_duration(age)} (limit {readings.human_duration(limit)})"
            )


@dataclasses.dataclass
class OldestWaitingCheck(ConsoleCheck):
    """Nothing of its kind has waited longer than the setting `limit_setting` (seconds)."""

    limit_setting: typing.ClassVar[str]
    # The failure in words, with "{age}" where the wait goes.
    waited: typing.ClassVar[str]

    def oldest(self, now: datetime.datetime) -> datetime.datetime | None:
        raise NotImplementedError

    def check(self, now: datetime.datetime) -> None:
        limit = getattr(settings, self.limit_setting)
        age = readings.seconds_since(self.oldest(now), now)
        if age > limit:
            raise ServiceUnavailable(
                f"{self.waited.format(age=readings.human_duration(age))} (limit {readings.human_duration(limit)})"
            )


@dataclasses.dataclass
class OutboxCheck(OldestWaitingCheck):
    """No due push has waited longer than HEALTH_OUTBOX_MAX_DUE_AGE."""

    name: typing.ClassVar[str] = "outbox"
    subject: typing.ClassVar[str] = "the outbox"
    limit_setting: typing.ClassVar[str] = "HEALTH_OUTBOX_MAX_DUE_AGE"
    waited: typing.ClassVar[str] = "oldest due push waited {age}"

    def oldest(self, now):
        return readings.outbox_oldest_due(now)


@dataclasses.dataclass
class InboxCheck(OldestWaitingCheck):
    """No webhook event has waited to be applied longer than HEALTH_INBOX_MAX_LAG."""

    name: typing.ClassVar[str] = "inbox"
    subject: typing.ClassVar[str] = "the webhook inbox"
    limit_setting: typing.ClassVar[str] = "HEALTH_INBOX_MAX_LAG"
    waited: typing.ClassVar[str] = "oldest webhook event waiting to be applied arrived {age} ago"

    def oldest(self, now):
        return readings.inbox_oldest_pending()


CHECKS = (DatabaseCheck, BrokerCheck, WorkerHeartbeatCheck, OutboxCheck, InboxCheck)
