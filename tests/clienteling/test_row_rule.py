"""The row rule: an advisor sees only their customers (admin list, page, search, command), a manager
their teams' (with their senders' queue), an auditor all; numbers masked as elsewhere."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations_ops.clienteling.selectors import conversations_visible_to, customers_visible_to
from conversations_ops.clienteling.services import customer_assign, customer_create
from conversations_ops.models import Customer
from tests.helpers.clienteling import MANAGERS, advisor, sender, team
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP
from tests.roles.staff import AUDITOR, client_for, staff_user, url

pytestmark = pytest.mark.django_db
ROBERT, ANN, QUEUED, ELSEWHERE = (
    "whatsapp:+15017122661",
    "whatsapp:+15017122662",
    "whatsapp:+15017122663",
    "+15017122664",
)


@pytest.fixture
def book():
    """alice owns Robert, bob owns Ann (both in mia's team); Queued waits on the team's sender; Elsewhere
    waits on another sender no team of mia's serves."""
    whatsapp, sms = sender(BUSINESS_WHATSAPP), sender(BUSINESS_SMS)
    alice, bob, mia = advisor("alice"), advisor("bob"), advisor("mia", group=MANAGERS)
    team("Boutique", senders=[whatsapp], members=[alice, bob], managers=[mia])
    rows = {
        "robert": customer_assign(customer_address=ROBERT, sender_address=BUSINESS_WHATSAPP, advisor=alice),
        "ann": customer_assign(customer_address=ANN, sender_address=BUSINESS_WHATSAPP, advisor=bob),
        "queued": customer_create(address=QUEUED, sender=whatsapp),
        "elsewhere": customer_create(address=ELSEWHERE, sender=sms),
    }
    return {"alice": alice, "bob": bob, "mia": mia, **rows}


def _names(queryset) -> set[str]:
    return {c.whatsapp_address or c.sms_address for c in queryset}


def test_each_role_sees_its_rows(book):
    assert _names(customers_visible_to(book["alice"])) == {ROBERT}
    assert _names(customers_visible_to(book["bob"])) == {ANN}
    assert _names(customers_visible_to(book["mia"])) == {ROBERT, ANN, QUEUED}
    assert _names(customers_visible_to(staff_user(AUDITOR))) == {ROBERT, ANN, QUEUED, ELSEWHERE}
    assert set(conversations_visible_to(book["alice"])) == {book["robert"].conversation_links.get().conversation}
    assert not customers_visible_to(staff_user("Ops")).exists()


def test_the_admin_list_and_search_show_an_advisor_only_theirs_masked(book):
    alice = client_for(book["alice"])

    listed = alice.get(url("customer", "changelist")).content.decode()
    searched = alice.get(url("customer", "changelist"), {"q": ""}).content.decode()

    for page in (listed, searched):
        assert f"Customer #{book['robert'].pk}<" in page or f">Customer #{book['robert'].pk}" in page
        assert f"Customer #{book['ann'].pk}" not in page
        assert "+15017122661" not in page  # masked: advisors do not see whole numbers
    for view in ("change", "history", "delete"):  # every page of another advisor's customer: 403
        assert alice.get(url("customer", view, book["ann"].pk)).status_code == 403
    assert alice.get(url("customer", "change", 999_999)).status_code == 302  # none such: the admin's redirect
    assert alice.get(url("customer", "change", book["robert"].pk)).status_code == 200


def test_show_applies_the_rule_to_the_acting_user(book):
    out = StringIO()
    call_command(
        "clienteling",
        "show",
        "--customer",
        ROBERT,
        "--sender",
        BUSINESS_WHATSAPP,
        "--json",
        "--as",
        "alice",
        stdout=out,
    )
    shown = json.loads(out.getvalue())
    assert shown["advisor"] == "alice" and shown["conversation_sid"] is None  # not on Twilio yet
    assert "+15017122661" not in out.getvalue()

    with pytest.raises(CommandError) as refused:
        call_command("clienteling", "show", "--customer", ROBERT, "--sender", BUSINESS_WHATSAPP, "--as", "bob")
    assert refused.value.returncode == 2 and "among those you may see" in str(refused.value)


def test_the_groups_hold_what_the_rule_needs():
    advisors = set(Group.objects.get(name="Advisors").permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name=MANAGERS).permissions.values_list("codename", flat=True))
    auditors = set(Group.objects.get(name=AUDITOR).permissions.values_list("codename", flat=True))
    assert {"view_customer", "change_customer"} <= advisors and "add_customer" not in advisors
    # The conversation and message pages are not row-ruled: advisors get none of them (the inbox will).
    assert not advisors & {"view_conversation", "view_message", "view_participant", "add_message", "send_message"}
    assert {"add_customer", "change_customer", "push_to_twilio", "change_teammembership"} <= managers
    assert "view_all_customers" in auditors and "view_all_customers" not in managers | advisors
    assert Customer._meta.get_field("advisor").null  # unassigned = the queue
