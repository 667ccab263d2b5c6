"""The "Your work" panels cost a fixed number of queries whatever the tables hold (each count is one
query, and the counts the attention panel also shows are read once)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations_ops.models import AddressConfiguration, Customer, Template
from tests.dashboard.helpers import Rows
from tests.dashboard.html_tree import parse
from tests.helpers.clienteling import sender, team
from tests.helpers.ids import make_sid
from tests.home.helpers import INDEX, MANAGERS, OPS, SUPERUSER, SUPPORT, logged_in, person, work_items

pytestmark = pytest.mark.django_db


class Fill:
    """n more rows of everything a panel counts."""

    def __init__(self, manager):
        self.rows = Rows()
        self.serial = 0
        self.whatsapp = sender("whatsapp:+14155550100")
        self.advisor = person("Advisors", "alice")
        team("First shift", senders=[self.whatsapp], members=[self.advisor], managers=[manager])

    def __call__(self, n):
        now = timezone.now()
        for _ in range(n):
            self.serial += 1
            i = self.serial
            Template.objects.create(sid=make_sid("HX", i), friendly_name=f"t{i}", approval_status="pending")
            AddressConfiguration.objects.create(
                sid=make_sid("IG", 1000 + i), address=f"whatsapp:+1415556{i:04d}", sync_state="failed"
            )
            self.rows.pairing(state=("awaiting_customer", "connecting")[i % 2], sender=self.whatsapp)
            self.rows.failed_operations(1)
            self.rows.receipts(1, status="failed", error_code=30008)
            Customer.objects.create(
                whatsapp_address=f"whatsapp:+1501712{i:04d}",
                sender=self.whatsapp,
                advisor=self.advisor if i % 2 else None,
                awaiting_reply_since=now - timedelta(hours=1),
            )


def queries_for_home(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.parametrize("role", [SUPERUSER, SUPPORT, OPS, MANAGERS])
def test_the_panels_do_not_grow_with_the_rows_they_count(role):
    user = person(role)
    fill = Fill(manager=user)
    client = logged_in(user)
    fill(3)
    small, _ = queries_for_home(client)
    fill(30)
    large, page = queries_for_home(client)

    assert small == large
    # The counts did see the rows (the page is not just empty).
    shown = {key: count for panel in ("support", "ops", "manager") for key, (count, _) in _items(page, panel).items()}
    expected = {
        SUPERUSER: {"work-templates_waiting": 33, "work-pairings_awaiting_customer": 16, "work-unassigned_queue": 16},
        SUPPORT: {"work-templates_waiting": 33, "work-addresses_failing": 33},
        OPS: {"work-pairings_connecting": 17, "work-failed_pushes": 33},
        MANAGERS: {"work-unassigned_queue": 16},
    }[role]
    assert {key: shown[key] for key in expected} == expected


def _items(page, panel) -> dict:
    root = parse(page)
    return work_items(root, panel) if root.find("div", id=f"your-work-{panel}") is not None else {}
