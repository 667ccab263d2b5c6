"""Short write transactions that queue instead of sleeping, on SQLite.

SQLite lets one writer in at a time; the others retry under its busy
handler, which sleeps 1, 2, 5, 10 ... 100 ms between tries. Under load the
sleeping, not the writing, is what costs: ingest p99 went past 100 ms with
five web processes. An exclusive flock on a file beside the database makes
the writers that use this gate wait in the kernel's queue and wake as soon
as the previous one commits. PostgreSQL has row locks: no gate there.

Only for short transactions that make no network call while they hold it.
"""

import fcntl
import os
import threading
import time
from contextlib import contextmanager

from django.db import connections, transaction

_local = threading.local()


def _gate_file(alias: str):
    files = getattr(_local, "files", None)
    if files is None:
        files = _local.files = {}
    name = str(connections[alias].settings_dict["NAME"])
    if files.get(alias, (None, None))[0] != name:
        # One open file per thread: flock() treats each open file description
        # on its own, so threads of one process queue like processes do.
        files[alias] = (name, open(f"{name}.write-gate", "a+b"))  # noqa: SIM115 (kept open on purpose)
    return files[alias][1]


def _gated(connection) -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and ":memory:" not in name and not name.startswith("file:")


def requests_writing_recently(seconds: float, using: str = "default") -> bool:
    """Whether a request took the gate within `seconds` (`urgent=True` marks it):
    background work steps aside while requests are being served."""
    connection = connections[using]
    if not _gated(connection):
        return False
    return time.time() - os.fstat(_gate_file(using).fileno()).st_mtime < seconds


@contextmanager
def write_gate(using: str = "default", *, urgent: bool = False):
    """A turn at the write gate on SQLite (nothing elsewhere), without a transaction:
    for a single statement, which SQLite commits on its own.

    `urgent` (a request someone is waiting for) stamps the gate file, so
    background writers can tell they should leave room."""
    connection = connections[using]
    if not _gated(connection) or connection.in_atomic_block:
        yield
        return
    gate = _gate_file(using)
    if urgent:
        os.utime(gate.fileno())  # before queueing: background writers see a request is waiting
    fcntl.flock(gate, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(gate, fcntl.LOCK_UN)


@contextmanager
def write_transaction(using: str = "default", *, urgent: bool = False):
    """transaction.atomic(), preceded on SQLite by a turn at the write gate."""
    with write_gate(using, urgent=urgent), transaction.atomic(using=using):
        yield


# An arbitrary constant: the PostgreSQL advisory lock key of the inbox drain.
_DRAIN_LOCK_KEY = 0x0C0A5_D2A1


@contextmanager
def sole_drain(using: str = "default"):
    """Yields True to the one background drain allowed to run now, False to any other.

    A session-level advisory lock on PostgreSQL, a non-blocking flock beside
    the database file on SQLite: both go away with the process that held them.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_DRAIN_LOCK_KEY])
            got = cursor.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_DRAIN_LOCK_KEY])
        return
    if not _gated(connection):
        yield True  # an in-memory test database: one process
        return
    with open(f"{connection.settings_dict['NAME']}.inbox-drain", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
