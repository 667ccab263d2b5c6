"""The consent report (issue 20, item 5): per sender the states now (unknown counting the people reached
with nothing recorded) and the period's changes by how; links to the filtered registry; the period's
changes as a masked CSV; who may see it; a bounded number of queries for 2 and 20 senders."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations_ops.consent.services import consent_opt_in, consent_opt_out, consent_set
from conversations_ops.models import Consent, ConsentHow, Conversation, Customer, Participant
from tests.consent.helpers import BUSINESS_SMS, BUSINESS_WA, PERSON_SMS, PERSON_WA
from tests.helpers.clienteling import MANAGERS, advisor
from tests.helpers.ids import make_sid
from tests.roles.staff import AUDITOR, OPS, SUPPORT, client_for, staff_user

pytestmark = pytest.mark.django_db
REPORT = reverse("consent_report")
CSV = reverse("consent_report_changes")
WHOLE = PERSON_WA.removeprefix("whatsapp:")


def reached(person: str, sender: str, n: int) -> None:
    """A conversation participant: someone the console reaches through `sender`."""
    conversation = Conversation.objects.create(sid=make_sid("CH", n), sync_state="synced")
    Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", n),
        role="customer",
        messaging_binding_type="whatsapp" if person.startswith("whatsapp:") else "sms",
        messaging_binding_address=person,
        messaging_binding_proxy_address=sender,
    )


@pytest.fixture
def registry():
    """On WhatsApp: one person opted out by STOP today (after writing first 40 days ago), one opted in by
    staff today, one reached with nothing recorded. On SMS: one wrote first today."""
    now = timezone.now()
    consent_opt_in(
        address=PERSON_WA,
        sender=BUSINESS_WA,
        how="wrote_first",
        message_sid=make_sid("IM", 1),
        occurred_at=now - timedelta(days=40),
    )
    consent_opt_out(
        address=PERSON_WA, sender=BUSINESS_WA, how="keyword_opt_out", keyword="STOP", message_sid=make_sid("IM", 2)
    )
    consent_set(
        address="whatsapp:+15017122663",
        sender=BUSINESS_WA,
        state="opted_in",
        reason="=HYPERLINK(asked in store, +15017122663)",
        user=staff_user(OPS, "ops-ann"),
    )
    consent_opt_in(address=PERSON_SMS, sender=BUSINESS_SMS, how="wrote_first", message_sid=make_sid("IM", 3))
    reached(PERSON_WA, BUSINESS_WA, 1)  # recorded: not unknown
    reached("whatsapp:+15017122664", BUSINESS_WA, 2)
    reached("whatsapp:+15017122664", BUSINESS_WA, 3)  # the same person twice counts once


def figures(response) -> dict:
    return {row["sender"]: row for row in response.context["rows"]}


def test_states_now_and_the_last_30_days_changes_by_how(registry):
    response = client_for(staff_user(AUDITOR)).get(REPORT)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["period"] == (today - timedelta(days=29), today)
    assert response.context["form"]["date_from"].value() == today - timedelta(days=29)  # the default, shown
    rows = figures(response)
    assert list(rows) == [BUSINESS_SMS, BUSINESS_WA]
    wa = rows[BUSINESS_WA]
    assert (wa["opted_in"][0], wa["opted_out"][0], wa["unknown"]) == (1, 1, 1)
    hows = [how for how, _ in ConsentHow.choices]
    changes = dict(zip(hows, [n for n, _ in wa["changes"]], strict=True))
    # Writing first 40 days ago is outside the default period.
    assert changes["keyword_opt_out"] == 1 and changes["staff_opt_in"] == 1 and changes["wrote_first"] == 0
    assert wa["total"][0] == 2
    assert rows[BUSINESS_SMS]["changes"][hows.index("wrote_first")][0] == 1
    assert WHOLE not in response.content.decode() and "2663" not in response.content.decode()


def test_a_chosen_period_and_a_refused_one(registry):
    page = client_for(staff_user(AUDITOR))
    today = timezone.localdate()
    old = page.get(REPORT, {"date_from": (today - timedelta(days=60)).isoformat(), "date_to": today.isoformat()})
    assert figures(old)[BUSINESS_WA]["total"][0] == 3

    refused = page.get(REPORT, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()})
    assert refused.status_code == 200 and refused.context["rows"] == []
    assert list(refused.context["form"].errors) == ["date_to"]
    assert "The last day must be on or after the first day." in refused.content.decode()
    assert page.get(CSV, {"date_from": "yesterday"}).status_code == 400


def test_the_links_open_the_registry_filtered_the_same_way(registry):
    page = client_for(staff_user(AUDITOR))
    wa = figures(page.get(REPORT))[BUSINESS_WA]
    listed = page.get(wa["opted_out"][1])
    assert listed.status_code == 200
    opted_out = Consent.objects.get(address=PERSON_WA, sender=BUSINESS_WA)
    assert [c.pk for c in listed.context["cl"].result_list] == [opted_out.pk]
    assert "Consent report" in page.get(reverse("admin:conversations_ops_consent_changelist")).content.decode()


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_periods_changes_as_csv_masked_unless_full_numbers(registry):
    auditor = staff_user(AUDITOR)
    page = client_for(auditor)
    rows = _csv(page.get(figures(page.get(REPORT))[BUSINESS_WA]["total"][1]))
    assert [(r["how"], r["address"]) for r in rows] == [
        ("keyword_opt_out", "whatsapp:+15•••••2661"),
        ("staff_opt_in", "whatsapp:+15•••••2663"),
    ]
    staff = rows[1]
    # The reason's number masked, and the formula defused.
    assert staff["reason"].startswith("'=HYPERLINK(") and "+15017122663" not in staff["reason"]
    assert staff["staff"] == "ops-ann" and staff["current_state"] == "opted_in"

    by_how = figures(page.get(REPORT))[BUSINESS_WA]["changes"]
    (link,) = [link for n, link in by_how if n and "keyword_opt_out" in link]
    assert [r["how"] for r in _csv(page.get(link))] == ["keyword_opt_out"]

    auditor.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    whole = _csv(client_for(auditor).get(CSV))
    assert PERSON_WA in [r["address"] for r in whole] and PERSON_SMS in [r["address"] for r in whole]


def test_who_may_see_the_report():
    assert client_for(staff_user(AUDITOR)).get(REPORT).status_code == 200
    assert client_for(staff_user(OPS)).get(REPORT).status_code == 200
    assert client_for(advisor("mia", group=MANAGERS)).get(REPORT).status_code == 200
    for refused in (staff_user(SUPPORT), advisor("leo")):
        assert client_for(refused).get(REPORT).status_code == 403
        assert client_for(refused).get(CSV).status_code == 403
        assert (
            "Consent report"
            not in client_for(refused).get(reverse("admin:conversations_ops_consent_changelist")).content.decode()
        )


def _senders(count: int, offset: int) -> None:
    for n in range(offset, offset + count):
        business, person = f"whatsapp:+1415555{n:04d}", f"whatsapp:+1501712{n:04d}"
        consent_opt_out(address=person, sender=business, how="keyword_opt_out", keyword="STOP")
        consent_opt_in(address=f"whatsapp:+1501713{n:04d}", sender=business, how="wrote_first")
        reached(f"whatsapp:+1501714{n:04d}", business, n)


def test_the_queries_do_not_grow_with_senders():
    page = client_for(staff_user(AUDITOR))
    _senders(2, 0)
    page.get(REPORT)  # the session and permissions, warmed
    with CaptureQueriesContext(connection) as two:
        assert len(page.get(REPORT).context["rows"]) == 2
    _senders(18, 2)
    with CaptureQueriesContext(connection) as twenty:
        assert len(page.get(REPORT).context["rows"]) == 20
    assert len(twenty) == len(two)


def test_customers_nobody_reached_yet_count_as_unknown_once(registry):
    from tests.helpers.clienteling import sender

    whatsapp = sender(BUSINESS_WA)
    for n, person in enumerate((PERSON_WA, "whatsapp:+15017122664", "whatsapp:+15017122665", "whatsapp:+15017122666")):
        Customer.objects.create(name=f"C{n}", whatsapp_address=person, sender=whatsapp)
    # PERSON_WA is recorded (opted out), +...2664 is a participant counted already: only 2665 and 2666 add.

    rows = figures(client_for(staff_user(AUDITOR)).get(REPORT))

    assert rows[BUSINESS_WA]["unknown"] == 3
