"""The webhook INSERT (webhooks/insert.py): what it stores, and on
PostgreSQL its prepared statement and its retry on a broken connection."""

import pytest
from django.db import connection

from conversations_ops.models import WebhookEvent
from tests.webhooks.builders import message_event, sid

from .signing import signed_post

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="prepared statements and persistent-connection retries are PostgreSQL's; SQLite is a file in the process",
)


def _post(client, n: int):
    response = signed_post(
        client,
        "conversations",
        message_event("onMessageAdded", sid("CH", 1), sid("IM", n), index=n, body='It\'s "here"'),
    )
    assert response.status_code == 200, response.content
    return WebhookEvent.objects.get(message_sid=sid("IM", n))


def test_the_row_is_what_the_orm_would_have_written(client):
    event = _post(client, 1)
    assert ["Body", 'It\'s "here"'] in event.params  # JSON as sent, quotes intact
    assert event.headers["X-Twilio-Signature"]
    assert (event.processing_state, event.attempts, event.locked_until) == ("pending", 0, None)
    assert event.received_at is not None and event.received_at.tzinfo is not None


@postgresql_only
def test_the_insert_is_prepared_once_per_connection(client, settings):
    settings.WEBHOOK_PREPARED_INSERT = True
    _post(client, 1)
    _post(client, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "conversations_ops_webhookevent"%'],
        )
        assert cursor.fetchone()[0] == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)  # autocommit, as a web request runs it
def test_a_connection_the_database_dropped_is_replaced_and_the_event_stored(client):
    """A persistent connection the server closed (restart, idle timeout) must not
    lose the event: Twilio never sends it again."""
    import psycopg

    _post(client, 1)
    backend = connection.connection.info.backend_pid
    params = {**connection.get_connection_params(), "autocommit": True}
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])

    event = _post(client, 2)  # the same Django connection object, its server gone

    assert connection.connection.info.backend_pid != backend
    assert event.processing_state == "processed"  # stored, woken and applied
    assert WebhookEvent.objects.count() == 2


@postgresql_only
def test_the_inbox_carries_one_index_per_searched_column():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'conversations_ops_webhookevent'")
        names = sorted(row[0] for row in cursor.fetchall())
    assert not [name for name in names if name.endswith("_like")], names
    assert len(names) == 7, names
