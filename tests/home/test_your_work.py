"""The "Your work" panels (templatetags/your_work.py): one per group the person is in, first on the
page; each count links to exactly the rows it counts (followed as that role, the list shows as many)."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from conversations_ops.models import AddressConfiguration, Customer, Template
from tests.dashboard.helpers import Rows
from tests.helpers.clienteling import sender, team
from tests.helpers.ids import make_sid
from tests.home.helpers import (
    ADVISORS,
    AUDITOR,
    INDEX,
    MANAGERS,
    OPS,
    SUPERUSER,
    SUPPORT,
    home,
    logged_in,
    panels,
    person,
    work_items,
)

pytestmark = pytest.mark.django_db


def listed(client, url) -> int:
    """How many rows the admin list at `url` shows (its own count, as its paginator says)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def counted(root, panel, key) -> tuple[int, str]:
    count, url = work_items(root, panel)[key]
    assert count is not None, f"{key} is a count"
    return count, url


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (SUPPORT, ["your-work-support"]),
        (OPS, ["your-work-ops"]),
        (AUDITOR, ["your-work-auditor"]),
        (ADVISORS, ["your-work-advisor"]),
        (MANAGERS, ["your-work-manager", "your-work-advisor"]),
        (
            SUPERUSER,
            ["your-work-support", "your-work-ops", "your-work-auditor", "your-work-manager", "your-work-advisor"],
        ),
    ],
)
def test_one_panel_per_group_and_all_for_a_superuser(role, shown):
    assert panels(home(logged_in(person(role)))) == shown


def test_someone_in_two_groups_gets_both_panels_and_no_group_none():
    both = person(SUPPORT)
    both.groups.add(Group.objects.get(name=OPS))
    loner = person(SUPPORT, "loner")
    loner.groups.clear()
    loner.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))

    assert panels(home(logged_in(both))) == ["your-work-support", "your-work-ops"]
    assert panels(home(logged_in(loner))) == []  # permissions alone are not a role


def test_the_panels_come_first_with_a_heading(rows_for_attention):
    html = logged_in(person(SUPERUSER)).get(INDEX).content.decode()
    first = html.index('id="your-work-support"')

    assert first < html.index('id="needs-attention"') < html.index('id="dashboard-charts"')
    assert html.index('id="content-main"') < first
    root = home(logged_in(person(SUPPORT)))
    assert root.find("div", id="your-work-support").find("h2").text == "Your work: addresses and templates"


@pytest.fixture
def rows_for_attention(address_configuration):
    Rows().failed_operations(1)


# Support -------------------------------------------------------------------------------------------


def test_support_counts_templates_waiting_for_approval_and_the_link_lists_them():
    for n, (status, state) in enumerate(
        [
            ("received", "synced"),
            ("pending", "synced"),
            ("pending", "synced"),
            ("approved", "synced"),
            ("rejected", "synced"),
            ("unsubmitted", "synced"),
            ("pending", "deleted_remotely"),  # gone from Twilio: nobody waits for it
        ],
        start=1,
    ):
        Template.objects.create(sid=make_sid("HX", n), friendly_name=f"t{n}", approval_status=status, sync_state=state)
    client = logged_in(person(SUPPORT))

    count, url = counted(home(client), "support", "work-templates_waiting")

    assert count == 3
    assert listed(client, url) == 3


def test_support_counts_addresses_failing_to_sync_and_the_link_lists_them():
    for n, state in enumerate(["failed", "failed", "synced", "pending"], start=1):
        AddressConfiguration.objects.create(sid=make_sid("IG", n), address=f"whatsapp:+1415555000{n}", sync_state=state)
    client = logged_in(person(SUPPORT))

    count, url = counted(home(client), "support", "work-addresses_failing")

    assert count == 2
    assert listed(client, url) == 2


def test_support_starts_on_the_add_form_it_may_use():
    client = logged_in(person(SUPPORT))
    url = work_items(home(client), "support")["work-add_address"][1]

    assert url == reverse("admin:conversations_ops_addressconfiguration_add")
    assert client.get(url).status_code == 200


def test_a_link_is_offered_only_to_who_may_follow_it():
    """Support without "push to Twilio" may not add an address (the admin's rule): not offered."""
    Group.objects.get(name=SUPPORT).permissions.remove(Permission.objects.get(codename="push_to_twilio"))
    items = work_items(home(logged_in(person(SUPPORT))), "support")

    assert "work-add_address" not in items
    assert "work-templates_waiting" in items


# Ops -----------------------------------------------------------------------------------------------


def test_ops_counts_pairings_waiting_and_each_link_lists_them(address_configuration):
    rows = Rows()
    for state in ["awaiting_customer", "awaiting_customer", "connecting", "connected", "failed", "closed"]:
        rows.pairing(state=state, sender=address_configuration)
    client = logged_in(person(OPS))
    root = home(client)

    awaiting, awaiting_url = counted(root, "ops", "work-pairings_awaiting_customer")
    connecting, connecting_url = counted(root, "ops", "work-pairings_connecting")

    assert (awaiting, connecting) == (2, 1)
    assert listed(client, awaiting_url) == 2
    assert listed(client, connecting_url) == 1


def test_ops_failed_sends_are_the_attention_panels_counts_and_links():
    rows = Rows()
    rows.failed_operations(3)
    rows.receipts(1, status="failed", error_code=30008)
    rows.receipts(1, status="undelivered", error_code=30003)
    rows.receipts(1, status="delivered", error_code=None)
    client = logged_in(person(OPS))
    root = home(client)

    pushes, pushes_url = counted(root, "ops", "work-failed_pushes")
    deliveries, deliveries_url = counted(root, "ops", "work-failed_deliveries")

    assert (pushes, deliveries) == (3, 2)
    assert listed(client, pushes_url) == 3
    assert listed(client, deliveries_url) == 2
    attention = root.find("div", id="needs-attention")
    assert attention.find("li", id="attention-failed_pushes").find("a").attrs["href"] == pushes_url
    assert attention.find("li", id="attention-failed_deliveries").find("a").attrs["href"] == deliveries_url


def test_ops_starts_a_pairing_and_finds_where_to_send_a_message(conversation):
    client = logged_in(person(OPS))
    items = work_items(home(client), "ops")

    assert client.get(items["work-start_pairing"][1]).status_code == 200
    send = client.get(items["work-send_message"][1])
    assert send.status_code == 200 and send.context["cl"].result_count == 1


# Auditor -------------------------------------------------------------------------------------------


def test_auditor_opens_todays_history_exports_it_and_reads_the_audit_trail():
    rows = Rows()
    rows.message()
    rows.message()
    rows.message(date_created=timezone.now() - timedelta(days=3))
    client = logged_in(person(AUDITOR))
    items = work_items(home(client), "auditor")

    assert listed(client, items["work-history_today"][1]) == 2
    export = client.get(items["work-export_today"][1])
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))) == 2
    assert listed(client, items["work-audit_trail"][1]) == 0
    panel = home(client).find("div", id="your-work-auditor")
    assert [a.text for a in panel.find("li", id="work-export_today").find_all("a")] == ["CSV", "JSON"]


# Advisors and managers -----------------------------------------------------------------------------


def _customer(n, whatsapp, *, advisor=None, routing_problem="", waiting_minutes=None):
    since = timezone.now() - timedelta(minutes=waiting_minutes) if waiting_minutes is not None else None
    return Customer.objects.create(
        name=f"Customer {n}",
        whatsapp_address=f"whatsapp:+1501712{n:04d}",
        sender=whatsapp,
        advisor=advisor,
        routing_problem=routing_problem,
        awaiting_reply_since=since,
    )


def test_an_advisors_needs_reply_count_opens_the_inbox_on_those_customers():
    whatsapp = sender("whatsapp:+14155550100")
    alice, bob = person(ADVISORS, "alice"), person(ADVISORS, "bob")
    _customer(1, whatsapp, advisor=alice, waiting_minutes=45)
    _customer(2, whatsapp, advisor=alice, waiting_minutes=60 * 20)
    _customer(3, whatsapp, advisor=alice, waiting_minutes=1)  # not long enough yet
    _customer(4, whatsapp, advisor=bob, waiting_minutes=45)  # not hers
    client = logged_in(alice)
    root = home(client)

    count, url = counted(root, "advisor", "needs-reply-needs_reply")

    assert count == 2
    assert client.get(url).context["page"].paginator.count == 2
    assert root.find("a", id="open-inbox").attrs["href"] == reverse("inbox:list")


def test_a_managers_queue_count_lists_exactly_their_teams_queue():
    ours, theirs = sender("whatsapp:+14155550100"), sender("whatsapp:+14155550200")
    manager, alice = person(MANAGERS, "mona"), person(ADVISORS, "alice")
    team("First shift", senders=[ours], members=[alice], managers=[manager])
    _customer(1, ours)  # nobody owns them
    _customer(2, ours)
    _customer(3, ours, advisor=alice, routing_problem="The last message could not be routed")
    _customer(4, ours, advisor=alice)  # owned, routed: not queued
    _customer(5, theirs)  # another team's queue
    client = logged_in(manager)
    root = home(client)

    count, url = counted(root, "manager", "work-unassigned_queue")

    assert count == 3
    assert listed(client, url) == 3
    items = work_items(root, "manager")
    assert client.get(items["work-figures"][1]).status_code == 200
    assert client.get(items["work-reassign"][1]).status_code == 200


def test_an_advisor_gets_no_managers_panel_and_no_reassignment():
    page = logged_in(person(ADVISORS)).get(INDEX).content.decode()

    assert 'id="your-work-manager"' not in page
    assert reverse("admin:conversations_ops_customer_reassign_advisor") not in page
