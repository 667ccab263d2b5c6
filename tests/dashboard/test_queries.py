"""The home page stays fast: the same, small number of queries whatever the tables hold."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.dashboard.helpers import ALL_VIEWS, INDEX

pytestmark = pytest.mark.django_db


def fill(rows, sender, n):
    """n rows of everything the page counts or charts, spread over the last days."""
    now = timezone.now()
    rows.failed_operations(n, code=50416)
    rows.failed_operations(n, code=None, status=503)
    for i in range(n):
        rows.conversation(sync_state="failed")
        message = rows.message(
            direction="inbound" if i % 2 else "outbound",
            date_created=now - timedelta(days=i % 20),
            sync_state="failed" if i % 3 == 0 else "synced",
        )
        rows.receipts(
            1,
            status="failed" if i % 2 else "undelivered",
            error_code=63000 + i,
            message=message,
            date_updated=now - timedelta(hours=i),
        )
        rows.pairing(
            state="awaiting_customer",
            sender=sender,
            invited_at=now - timedelta(minutes=i),
            expires_at=now + timedelta(minutes=30 - i),
        )
        rows.pairing(state=("connecting", "failed")[i % 2], sender=sender, replied_at=now - timedelta(minutes=i))
    rows.webhook_events(n, state="failed")
    rows.webhook_events(n, state="unhandled", age=timedelta(hours=30))
    for _ in range(min(n, 3)):
        rows.template_alert()


def queries_for_index(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INDEX, params)
    assert response.status_code == 200
    assert "attention-failed_pushes" in response.content.decode()
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("who", ["superuser", "staff"])
def test_query_count_does_not_grow_with_the_tables(admin_client, staff_client, rows, address_configuration, who):
    client = admin_client if who == "superuser" else staff_client(ALL_VIEWS)
    fill(rows, address_configuration, 5)
    small = queries_for_index(client)
    fill(rows, address_configuration, 45)
    large = queries_for_index(client, days=30)

    assert len(small) == len(large), "\n".join(large)
    # Session, user (and a staff member's permissions), recent actions, and the dashboard's 11
    # (8 for the attention counts: failed deliveries are counted, then their reasons grouped;
    # the template banner, one per chart), the account configuration's timer warnings (one row),
    # and a superuser's "Your work" panels (tests/home/test_queries.py): templates waiting,
    # pairings waiting, the inbox's two counts and the unassigned queue (the rest are the
    # attention panel's counts, read once); a staff member in no group: their groups, no panel.
    assert len(large) <= 20, "\n".join(large)


def test_each_chart_is_one_grouped_query(admin_client, rows, address_configuration):
    fill(rows, address_configuration, 5)
    sql = queries_for_index(admin_client)

    def grouped_reads_of(table):
        return [q for q in sql if "GROUP BY" in q and q.split(" FROM ")[1].startswith(f'"{table}"')]

    assert len(grouped_reads_of("conversations_ops_message")) == 1  # the volume chart
    # The attention count (by error code, last 24 h) and the failures chart (by day).
    assert len(grouped_reads_of("conversations_ops_deliveryreceipt")) == 2
