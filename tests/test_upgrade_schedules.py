"""Schedules stored by an older release still run after an upgrade.

The packages moved (pull, template sync and the health tasks now sit behind
conversations_ops.tasks); django_q's Schedule table keeps function paths as text.
Migration 0015 points the stored rows at the new paths; without it django-q2
would fail each of them with "Function ... is not defined" at every run.
"""

import pydoc
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conversations_ops.schedules import SCHEDULES

BEFORE = ("conversations_ops", "0014_health_heartbeat_metric_counters")
# What `sync_schedule_setup` of the release before the move stored.
STORED_BEFORE = {
    "sync-sweep": "conversations_ops.tasks.sync_sweep",
    "webhook-inbox-sweep": "conversations_ops.tasks.webhook_inbox_sweep",
    "twilio-pull": "conversations_ops.services.pull.pull_scheduled",
    "template-sync": "conversations_ops.services.templates_sync.template_sync_scheduled",
    "pairing-expiry": "conversations_ops.tasks.pairings_expire",
    "health-heartbeat": "conversations_ops.health.heartbeat.heartbeat_scheduled",
    "metrics-tally": "conversations_ops.health.counters.received_tally_advance",
}


@pytest.fixture
def upgraded_from_the_release_before(transactional_db):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("conversations_ops")
    executor.migrate([BEFORE])
    from django_q.models import Schedule  # django_q's own tables are not rolled back

    for name, func in STORED_BEFORE.items():
        Schedule.objects.create(
            name=name,
            func=func,
            schedule_type="I",
            minutes=1,
            repeats=-1,
            next_run=timezone.now() - timedelta(minutes=1),
        )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    yield
    call_command("flush", "--noinput", verbosity=0)


def test_the_old_paths_no_longer_exist():
    """Otherwise this test would prove nothing: the move really broke the stored paths."""
    moved = [func for func in STORED_BEFORE.values() if ".services." in func]
    assert len(moved) == 2 and all(pydoc.locate(func) is None for func in moved)


def test_every_stored_schedule_names_the_function_the_release_schedules(upgraded_from_the_release_before):
    from django_q.models import Schedule

    stored = dict(Schedule.objects.values_list("name", "func"))
    assert stored == {name: func for name, (func, _minutes) in SCHEDULES.items()}
    for func in stored.values():
        assert callable(pydoc.locate(func)), func


def test_sync_schedule_setup_after_the_upgrade_changes_nothing(upgraded_from_the_release_before):
    from django_q.models import Schedule

    Schedule.objects.update(schedule_type="I", minutes=1)  # as stored by the old setup
    call_command("sync_schedule_setup", verbosity=0)
    assert set(Schedule.objects.values_list("func", flat=True)) == {func for func, _ in SCHEDULES.values()}
