"""The one INSERT of every webhook request: the hot path of ingest.

`INSERT ... ON CONFLICT (dedup_key) DO NOTHING` in autocommit, not
Model.save() in atomic(): measured in-process, the ORM's save, savepoint and
separate COMMIT cost about as much as the rest of the request. One statement
commits on its own, and a repeated delivery is no exception to catch. The
values go through the same conversions the ORM applies (JSON text, the
database's datetimes), so the row is what the ORM would have written.

On PostgreSQL (figures in bench/README.md):
- the statement is prepared once per connection (a server-binding cursor):
  parsing and planning it anew took ~150 of the ~370 µs the server spent
  on each request;
- Django's per-request health check (a `SELECT 1` round trip, a quarter of
  the request's time under load) is skipped here: a statement that fails
  because the connection broke (a database restart, an idle timeout) is sent
  once more on a fresh connection, so a stale connection never loses an
  event, and ON CONFLICT makes the second try harmless if the first did
  commit. Set WEBHOOK_PREPARED_INSERT=false behind a connection pooler that
  cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
"""

import json
import logging
from functools import lru_cache

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, router

from conversations_ops.models import WebhookEvent

logger = logging.getLogger(__name__)

# Statements that psycopg may prepare: only the ones sent with prepare=True
# reach this threshold in practice (Django's own cursors bind client-side).
_PREPARE_THRESHOLD = 1000


@lru_cache(maxsize=8)
def _statement(vendor: str, alias: str, columns: tuple[str, ...]) -> tuple[str, tuple]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = tuple(WebhookEvent._meta.get_field(name) for name in columns)
    sql = (
        f"INSERT INTO {quote(WebhookEvent._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({quote('dedup_key')}) DO NOTHING"
    )
    return sql, fields


def _db_value(field, value, connection):
    if value is None or isinstance(value, str | int):
        return value  # text, numbers (booleans too) and NULL go in as they are
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, cls=field.encoder)  # what JSONField writes; the column casts the text
    return field.get_db_prep_save(value, connection)


def webhook_event_insert(row: dict) -> bool:
    """Stores one WebhookEvent row (field name -> value); False when its dedup_key is already there."""
    alias = router.db_for_write(WebhookEvent)
    connection = connections[alias]
    sql, fields = _statement(connection.vendor, alias, tuple(row))
    values = [_db_value(field, value, connection) for field, value in zip(fields, row.values(), strict=True)]
    if connection.vendor == "postgresql":
        return _insert_postgresql(connection, sql, values)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount == 1


def _insert_postgresql(connection, sql: str, values: list) -> bool:
    prepare = bool(settings.WEBHOOK_PREPARED_INSERT)
    for attempt in (1, 2):
        connection.health_check_done = True  # see the module docstring: a broken connection is retried below
        try:
            with connection.wrap_database_errors:
                connection.ensure_connection()
                raw = connection.connection
                if prepare and raw.prepare_threshold is None:
                    raw.prepare_threshold = _PREPARE_THRESHOLD  # Django turns preparing off; allow ours
                with psycopg.Cursor(raw) as cursor:
                    cursor.execute(sql, values, prepare=prepare)
                    return cursor.rowcount == 1
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            logger.warning("Database connection lost while recording a webhook; retrying on a new connection")
            connection.close()
    raise AssertionError("unreachable")
