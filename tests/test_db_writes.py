"""The SQLite write gate: writers queue on a file lock instead of SQLite's sleeping busy handler."""

import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from conversations_ops.db_writes import sole_drain, write_transaction
from conversations_ops.models import WebhookRejection

pytestmark = pytest.mark.django_db(transaction=True)


def needs_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks rows itself; the gate only exists for SQLite")


def test_a_second_writer_waits_for_the_first_to_commit():
    needs_sqlite()
    order, inside = [], threading.Event()
    release = threading.Event()

    def first():
        try:
            with write_transaction():
                WebhookRejection.objects.create(reason="first")
                order.append("first in")
                inside.set()
                release.wait(10)
                order.append("first out")
        finally:
            connection.close()

    def second():
        try:
            inside.wait(10)
            with write_transaction():
                order.append("second in")
                WebhookRejection.objects.create(reason="second")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(10)
    threads[1].join(0.3)  # give the second writer time to reach the gate: it must still be waiting
    assert threads[1].is_alive() and order == ["first in"]
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first in", "first out", "second in"]
    assert set(WebhookRejection.objects.values_list("reason", flat=True)) == {"first", "second"}
    assert Path(f"{connection.settings_dict['NAME']}.write-gate").exists()


def test_inside_a_transaction_the_gate_is_not_taken_again():
    with transaction.atomic(), write_transaction():  # would deadlock on itself if it took the gate inside atomic
        WebhookRejection.objects.create(reason="nested")
    assert WebhookRejection.objects.filter(reason="nested").exists()


def test_a_failed_transaction_releases_the_gate():
    needs_sqlite()
    with pytest.raises(RuntimeError), write_transaction():
        WebhookRejection.objects.create(reason="rolled back")
        raise RuntimeError("boom")
    with write_transaction():  # would block forever if the gate were still held
        WebhookRejection.objects.create(reason="after")
    assert list(WebhookRejection.objects.values_list("reason", flat=True)) == ["after"]


def _hold_sole_drain(entered: threading.Event, release: threading.Event, answers: list) -> threading.Thread:
    def hold():
        try:
            with sole_drain() as sole:
                answers.append(sole)
                entered.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(10)
    return thread


def test_only_one_inbox_drain_runs_at_a_time():
    """On SQLite (file lock) and PostgreSQL (advisory lock) alike."""
    entered, release, answers = threading.Event(), threading.Event(), []
    holder = _hold_sole_drain(entered, release, answers)
    with sole_drain() as second:
        assert answers == [True] and second is False
    release.set()
    holder.join(10)
    with sole_drain() as after:
        assert after is True


def test_a_drain_turned_away_leaves_the_events_to_the_running_one():
    from conversations_ops.models import WebhookEvent
    from conversations_ops.webhooks.inbox import webhook_inbox_drain

    WebhookEvent.objects.create(source="conversations", event_type="onSomethingNew", dedup_key="k1", params=[])
    entered, release, answers = threading.Event(), threading.Event(), []
    holder = _hold_sole_drain(entered, release, answers)
    assert webhook_inbox_drain(budget_seconds=5) == 0  # another drain runs: this one leaves at once
    assert WebhookEvent.objects.get(dedup_key="k1").processing_state == "pending"
    release.set()
    holder.join(10)
    assert webhook_inbox_drain(budget_seconds=5) == 1
    assert WebhookEvent.objects.get(dedup_key="k1").processing_state == "unhandled"
