"""Each filter of the message list narrows to exactly the messages it names, and search is exact."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations_ops.models import Message
from conversations_ops.selectors.history import DELIVERY_STATUSES, delivery_status_expression
from tests.helpers.ids import COURIER_SMS, CUSTOMER_WHATSAPP, make_sid
from tests.history.helpers import CHANGELIST, listed, listed_sids

pytestmark = pytest.mark.django_db

NAMES = ("invite", "customer_reply", "courier_photo", "agent_note", "system_notice", "old_question", "old_answer")


def sids(history, *names):
    return {getattr(history, name).sid for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?author_role=customer", ("customer_reply", "old_question")),
        # The invite is the console's, written as the courier: the courier's role, said so in its own column.
        ("?author_role=courier", ("invite", "courier_photo")),
        ("?author_role=agent", ("agent_note",)),
        ("?author_role=system", ("system_notice", "old_answer")),
        ("?author_role=other", ()),
        # A person's message is on their channel; the business's on its recipients' channels.
        (
            "?channel=whatsapp",
            ("invite", "customer_reply", "agent_note", "system_notice", "old_question", "old_answer"),
        ),
        ("?channel=sms", ("courier_photo", "agent_note", "system_notice")),
        ("?channel=chat", ("invite", "system_notice")),
        ("?direction__exact=inbound", ("customer_reply", "courier_photo", "old_question")),
        ("?direction__exact=outbound", ("invite", "agent_note", "system_notice", "old_answer")),
        ("?kind=template", ("invite",)),
        (
            "?kind=free_form",
            ("customer_reply", "courier_photo", "agent_note", "system_notice", "old_question", "old_answer"),
        ),
        ("?delivery=failed", ("courier_photo", "agent_note")),  # failed or undelivered for someone
        ("?delivery=undelivered", ("agent_note",)),
        ("?delivery=read", ("invite",)),
        ("?delivery=delivered", ("invite", "customer_reply", "old_answer")),  # read counts as delivered
        ("?delivery=pending", ("system_notice",)),
        ("?when=today", ("invite", "customer_reply", "courier_photo", "agent_note", "system_notice")),
        ("?when=30d", ("invite", "customer_reply", "courier_photo", "agent_note", "system_notice", "old_question")),
        ("?author_role=customer&channel=whatsapp&when=7d", ("customer_reply",)),
    ],
)
def test_each_filter_lists_exactly_its_messages(admin_client, history, query, expected):
    assert set(listed_sids(admin_client, query)) == sids(history, *expected)


def test_the_conversation_filter_takes_the_page_link_a_sid_or_a_unique_name(admin_client, history):
    order = sids(history, "invite", "customer_reply", "courier_photo", "agent_note", "system_notice")
    assert set(listed_sids(admin_client, f"?conversation__id__exact={history.order.pk}")) == order
    assert set(listed_sids(admin_client, f"?conversation={history.order.sid}")) == order
    assert set(listed_sids(admin_client, "?conversation=order-b7")) == sids(history, "old_question", "old_answer")
    response = listed(admin_client, "?conversation=order-zzz")
    assert list(response.context["cl"].result_list) == []
    assert "No conversation with" in response.content.decode()


def test_the_conversation_filter_lists_only_the_chosen_conversation(admin_client, history):
    page = listed(admin_client, f"?conversation__id__exact={history.order.pk}").content.decode()
    assert "Order A123" in page and "order-b7" not in page.split('id="changelist-filter"')[1]


def test_a_date_range_includes_the_whole_last_day(admin_client, history):
    day = timezone.localtime(history.old_answer.date_created).date()
    query = f"?date_from={day - timedelta(days=1)}&date_to={day}"
    assert set(listed_sids(admin_client, query)) == sids(history, "old_answer")
    assert set(listed_sids(admin_client, f"?date_from={day + timedelta(days=1)}")) == sids(
        history, "invite", "customer_reply", "courier_photo", "agent_note", "system_notice", "old_question"
    )
    response = listed(admin_client, "?date_from=yesterday")
    assert len(response.context["cl"].result_list) == len(NAMES) and "is not a date" in response.content.decode()


def test_the_date_form_keeps_the_other_filters(admin_client, history):
    page = listed(admin_client, "?author_role=customer&q=order-a123").content.decode()
    assert '<input type="hidden" name="author_role" value="customer">' in page
    assert '<input type="hidden" name="q" value="order-a123">' in page


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (make_sid("IM", 3), ("courier_photo",)),
        (make_sid("CH"), ("invite", "customer_reply", "courier_photo", "agent_note", "system_notice")),
        ("order-b7", ("old_question", "old_answer")),
        (make_sid("HX"), ("invite",)),
        (make_sid("DY", 3), ("courier_photo",)),
        (make_sid("MB", 2), ("courier_photo",)),
        (CUSTOMER_WHATSAPP, ("customer_reply",)),
        ("+15017122661", ("customer_reply",)),  # a bare number finds the person on WhatsApp too
        (COURIER_SMS, ("invite", "courier_photo")),
        ("ops-ana", ("agent_note",)),
    ],
)
def test_search_is_exact(admin_client, history, term, expected):
    assert set(listed_sids(admin_client, f"?q={term.replace('+', '%2B')}")) == sids(history, *expected)


@pytest.mark.parametrize("term", ["door", "Yes please", "15017122661", "+1501712", "order-a", make_sid("IM", 3)[:20]])
def test_search_never_matches_part_of_a_text_or_a_number(admin_client, history, term):
    assert listed_sids(admin_client, f"?q={term.replace('+', '%2B')}") == []


@pytest.mark.parametrize("query", ["?body__contains=door", "?author__startswith=%2B1", "?conversation__unique_name=x"])
def test_only_the_filters_own_parameters_are_accepted(admin_client, history, query):
    """A hand-written lookup would scan the table (or the bodies): refused, not run."""
    assert admin_client.get(CHANGELIST + query).status_code == 400


def test_the_listed_status_is_the_filtered_status(admin_client, history):
    """The status column (Python) and the filter (SQL) are one definition, checked row by row."""
    in_sql = dict(Message.objects.annotate(s=delivery_status_expression()).values_list("sid", "s"))
    shown = {m.sid: m.history.status for m in listed(admin_client).context["cl"].result_list}
    assert shown == in_sql
    assert set(in_sql.values()) == {*DELIVERY_STATUSES, ""}


def test_the_list_shows_role_channel_template_and_delivery(admin_client, history):
    page = listed(admin_client).content.decode()
    assert "sent by the console (invite template)" in page
    assert "courier_invite" in page and "Hello Robert, your courier is here." in page
    assert "63016 (Outside the WhatsApp 24-hour window)" in page
    assert "WhatsApp, SMS" in page  # the agent's note reached both channels
