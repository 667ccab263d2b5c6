"""Response-time figures: hand-built message timelines whose median and 90th percentile are known,
the row rule on whose figures a viewer gets, and the staff page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations_ops.clienteling.response_times import percentile, response_time_figures
from conversations_ops.models import Conversation, Customer, CustomerConversation, Direction, Message
from tests.helpers.clienteling import MANAGERS, advisor, sender, team
from tests.helpers.ids import BUSINESS_WHATSAPP
from tests.roles.staff import AUDITOR, client_for, staff_user

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
FIGURES_URL = "/admin/clienteling/figures/"
_numbers = iter(range(1000, 9999))


def _customer(owner, whatsapp):
    """A customer of `owner` on `whatsapp`, with a conversation of their own."""
    n = next(_numbers)
    customer = Customer.objects.create(whatsapp_address=f"whatsapp:+1501712{n}", sender=whatsapp, advisor=owner)
    conversation = Conversation.objects.create(unique_name=f"clienteling-test-{n}", sync_state="synced")
    CustomerConversation.objects.create(customer=customer, conversation=conversation)
    return customer, conversation


def _timeline(conversation, *steps):
    """Messages at NOW - minutes ago: ("in", 90) is the customer writing 90 minutes ago, ("out", 85) a reply."""
    for index, (direction, minutes_ago) in enumerate(steps):
        Message.objects.create(
            conversation=conversation,
            index=index,
            body="hello",
            direction=Direction.INBOUND if direction == "in" else Direction.OUTBOUND,
            date_created=NOW - timedelta(minutes=minutes_ago),
            sync_state="synced",
        )


def _row(rows, label):
    return next(row for row in rows if row.label == label)


@pytest.fixture
def boutique():
    whatsapp = sender(BUSINESS_WHATSAPP)
    alice, bob, mia = advisor("alice"), advisor("bob"), advisor("mia", group=MANAGERS)
    team("Boutique", senders=[whatsapp], members=[alice, bob], managers=[mia])
    return whatsapp, alice, bob, mia


def test_median_and_p90_of_ten_known_waits(boutique):
    whatsapp, alice, _, _ = boutique
    # Ten customers, each waited 1, 2, ..., 10 minutes for alice's reply (two days ago).
    for wait in range(1, 11):
        _, conversation = _customer(alice, whatsapp)
        _timeline(conversation, ("in", 2 * 24 * 60), ("out", 2 * 24 * 60 - wait))

    figures = _row(response_time_figures(alice, now=NOW)["advisors"], "alice").periods[7]

    assert (figures.answered, figures.unanswered) == (10, 0)
    assert figures.median == timedelta(minutes=5)  # nearest rank: the 5th of 10
    assert figures.p90 == timedelta(minutes=9)  # the 9th of 10


def test_a_run_of_customer_messages_counts_from_the_first_unanswered_one(boutique):
    whatsapp, alice, _, _ = boutique
    _, conversation = _customer(alice, whatsapp)
    # Three messages in a row (100, 90, 80 min ago), alice answers at 70: one wait of 30 minutes.
    # Then the customer writes again at 60 and alice answers at 58 and 57: a wait of 2 minutes.
    _timeline(
        conversation,
        ("out", 120),
        ("in", 100),
        ("in", 90),
        ("in", 80),
        ("out", 70),
        ("in", 60),
        ("out", 58),
        ("out", 57),
    )

    figures = _row(response_time_figures(alice, now=NOW)["advisors"], "alice").periods[7]

    assert figures.answered == 2
    assert figures.median == timedelta(minutes=2)
    assert figures.p90 == timedelta(minutes=30)


def test_unanswered_waits_and_the_two_periods(boutique):
    whatsapp, alice, _, _ = boutique
    _, recent = _customer(alice, whatsapp)
    _, older = _customer(alice, whatsapp)
    _, waiting = _customer(alice, whatsapp)
    _, ancient = _customer(alice, whatsapp)
    _timeline(recent, ("in", 60), ("out", 55))  # 5 min, today
    _timeline(older, ("in", 10 * 24 * 60), ("out", 10 * 24 * 60 - 40))  # 40 min, ten days ago
    _timeline(waiting, ("out", 300), ("in", 30), ("in", 20))  # still waiting, since 30 min ago
    _timeline(ancient, ("in", 40 * 24 * 60), ("out", 40 * 24 * 60 - 1))  # beyond 30 days: not counted

    periods = _row(response_time_figures(alice, now=NOW)["advisors"], "alice").periods

    assert (periods[7].answered, periods[7].unanswered, periods[7].median) == (1, 1, timedelta(minutes=5))
    assert (periods[30].answered, periods[30].unanswered) == (2, 1)
    assert (periods[30].median, periods[30].p90) == (timedelta(minutes=5), timedelta(minutes=40))


def test_team_figures_hold_every_member_and_advisors_see_only_their_own(boutique):
    whatsapp, alice, bob, mia = boutique
    _, a = _customer(alice, whatsapp)
    _, b = _customer(bob, whatsapp)
    _timeline(a, ("in", 100), ("out", 90))  # alice: 10 min
    _timeline(b, ("in", 100), ("out", 70))  # bob: 30 min

    as_manager = response_time_figures(mia, now=NOW)
    as_alice = response_time_figures(alice, now=NOW)

    assert [row.label for row in as_manager["advisors"]] == ["alice", "bob"]
    team_figures = _row(as_manager["teams"], "Boutique").periods[7]
    assert (team_figures.answered, team_figures.median, team_figures.p90) == (
        2,
        timedelta(minutes=10),
        timedelta(minutes=30),
    )
    assert [row.label for row in as_alice["advisors"]] == ["alice"]
    assert as_alice["teams"] == []  # a team's figures would show bob's customers


def test_the_query_count_does_not_grow_with_advisors(boutique):
    whatsapp, alice, bob, mia = boutique
    for owner in (alice, bob):
        _, conversation = _customer(owner, whatsapp)
        _timeline(conversation, ("in", 100), ("out", 90))
    response_time_figures(mia, now=NOW)  # mia's permissions are loaded once per user object
    with CaptureQueriesContext(connection) as few:
        response_time_figures(mia, now=NOW)
    more = [advisor(f"extra{i}") for i in range(5)]
    team("Second", members=more, managers=[mia])
    for owner in more:
        _, conversation = _customer(owner, whatsapp)
        _timeline(conversation, ("in", 100), ("out", 90))

    with CaptureQueriesContext(connection) as many:
        figures = response_time_figures(mia, now=NOW)

    assert len(figures["advisors"]) == 7
    assert len(many) == len(few)


def test_nearest_rank_percentile():
    assert percentile([], 0.5) is None
    assert percentile([60.0], 0.9) == timedelta(minutes=1)
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == timedelta(seconds=2)


def test_the_page_shows_a_manager_their_teams_and_links_from_the_customer_list(boutique):
    whatsapp, alice, _, mia = boutique
    _, conversation = _customer(alice, whatsapp)
    _timeline(conversation, ("in", 100), ("out", 88))
    page = client_for(mia)

    response = page.get(FIGURES_URL)
    customer_list = page.get("/admin/conversations_ops/customer/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figures-advisors"' in html and 'id="figures-teams"' in html
    assert "<td>alice</td>" in html and "<td>Boutique</td>" in html and "12 min" in html
    assert FIGURES_URL in customer_list.content.decode()


def test_the_page_shows_an_advisor_only_their_own_figures(boutique):
    whatsapp, alice, bob, _ = boutique
    for owner in (alice, bob):
        _, conversation = _customer(owner, whatsapp)
        _timeline(conversation, ("in", 100), ("out", 90))

    html = client_for(alice).get(FIGURES_URL).content.decode()

    assert "<td>alice</td>" in html
    assert "bob" not in html and 'id="figures-teams"' not in html


def test_auditors_see_every_team_and_staff_without_customers_are_refused(boutique):
    whatsapp, alice, _, _ = boutique
    team("Elsewhere", members=[advisor("carl")])

    auditor = client_for(staff_user(AUDITOR)).get(FIGURES_URL).content.decode()
    refused = client_for(staff_user("Support")).get(FIGURES_URL)
    anonymous = client_for(User.objects.create_user("guest")).get(FIGURES_URL)

    assert "<td>Boutique</td>" in auditor and "<td>Elsewhere</td>" in auditor
    assert refused.status_code == 403
    assert anonymous.status_code == 302  # not staff: the admin's login page
