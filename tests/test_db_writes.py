"""The SQLite write gate: writers queue on a file lock instead of SQLite's sleeping busy handler."""

import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from conversations_ops.db_writes import write_transaction
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
    with transaction.atomic():
        with write_transaction():  # would deadlock on itself if it took the gate inside atomic
            WebhookRejection.objects.create(reason="nested")
    assert WebhookRejection.objects.filter(reason="nested").exists()


def test_a_failed_transaction_releases_the_gate():
    needs_sqlite()
    with pytest.raises(RuntimeError):
        with write_transaction():
            WebhookRejection.objects.create(reason="rolled back")
            raise RuntimeError("boom")
    with write_transaction():  # would block forever if the gate were still held
        WebhookRejection.objects.create(reason="after")
    assert list(WebhookRejection.objects.values_list("reason", flat=True)) == ["after"]
