"""The message list on a big table: bounded queries, a count that stops, masked numbers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations_ops.admin.messages import MessageAdmin
from conversations_ops.admin.paginators import CappedCountPaginator
from conversations_ops.models import Conversation, DeliveryReceipt, Message, Participant
from tests.helpers.ids import CUSTOMER_WHATSAPP, make_sid
from tests.history.helpers import CHANGELIST, listed

pytestmark = pytest.mark.django_db

MASKED_CUSTOMER = "whatsapp:+15•••••2661"


def _fill(rows: int, start: int = 1000):
    """`rows` messages over several conversations, each with a participant, a template and receipts."""
    conversations = [Conversation.objects.create(sid=make_sid("CH", start + n), sync_state="synced") for n in range(3)]
    for n, conversation in enumerate(conversations):
        Participant.objects.create(
            conversation=conversation,
            sid=make_sid("MB", start + n),
            role="customer",
            messaging_binding_address=f"whatsapp:+1501712{start + n:04d}",
            messaging_binding_proxy_address="whatsapp:+14155550100",
        )
    messages = Message.objects.bulk_create(
        [
            Message(
                conversation=conversations[n % 3],
                sid=make_sid("IM", start + n),
                index=n,
                author=f"whatsapp:+1501712{start + n % 3:04d}",
                body=f"Message {n}",
                direction="inbound",
                content_sid=make_sid("HX", 7) if n % 4 == 0 else "",
                date_created=timezone.now(),
                sync_state="synced",
            )
            for n in range(rows)
        ]
    )
    DeliveryReceipt.objects.bulk_create(
        [
            DeliveryReceipt(
                message=m,
                sid=make_sid("DY", start + n),
                status="failed",
                error_code=63016,
                participant_sid=make_sid("MB", start),
            )
            for n, m in enumerate(messages)
            if n % 5 == 0
        ]
    )


QUERIES = [
    "",
    "?delivery=failed",
    "?author_role=customer&channel=whatsapp",
    "?kind=template&when=7d",
    f"?q={make_sid('CH', 1000)}",
    "?conversation=" + make_sid("CH", 1001),
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_list_runs_the_same_queries_for_30_and_300_rows(admin_client, query):
    counts = []
    for rows, start in ((30, 1000), (270, 1000 + 30)):
        _fill(rows, start)  # 30, then 300 in all
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST + query).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 14


def test_the_count_stops_after_the_pages_it_links(admin_client, monkeypatch):
    monkeypatch.setattr(MessageAdmin, "list_per_page", 5)
    monkeypatch.setattr(MessageAdmin, "count_ahead_pages", 1)
    _fill(40)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 11" in counts[0]  # (page 1 + 1 ahead) x 5, plus one to see there is more
    page = response.content.decode()
    assert "more than 10 messages" in page and 'class="end"' not in page
    assert len(response.context["cl"].result_list) == 5
    # Further pages count further.
    assert "more than 20" in admin_client.get(CHANGELIST + "?p=3").content.decode()


def test_the_paginator_counts_exactly_when_under_the_cap():
    paginator = CappedCountPaginator(list(range(7)), 3, cap=10)
    assert (paginator.count, paginator.capped, paginator.count_label, paginator.num_pages) == (7, False, "7", 3)
    capped = CappedCountPaginator(list(range(100)), 3, cap=10)
    assert (capped.count, capped.capped, capped.count_label) == (11, True, "more than 10")
    assert list(capped.get_elided_page_range(1)) == [1, 2, 3, 4, "…"]


def test_numbers_are_masked_without_view_full_numbers(auditor, full_auditor, history):
    masked = listed(auditor).content.decode()
    assert MASKED_CUSTOMER in masked and CUSTOMER_WHATSAPP not in masked
    assert "+15017122661" not in masked  # not even written inside a message's text
    full = listed(full_auditor).content.decode()
    assert CUSTOMER_WHATSAPP in full


def test_the_message_page_masks_the_author_and_the_recipients(auditor, full_auditor, history):
    url = f"{CHANGELIST}{history.customer_reply.pk}/change/"
    masked = auditor.get(url).content.decode()
    assert MASKED_CUSTOMER in masked and CUSTOMER_WHATSAPP not in masked and "+15017122661" not in masked
    photo = auditor.get(f"{CHANGELIST}{history.courier_photo.pk}/change/").content.decode()
    assert "customer " + MASKED_CUSTOMER in photo and "Outside the WhatsApp 24-hour window" in photo
    assert CUSTOMER_WHATSAPP in full_auditor.get(url).content.decode()


def test_auditors_see_export_links_carrying_the_filters_and_no_actions(auditor, ops, history):
    response = listed(auditor, "?delivery=failed&q=order-a123")
    page = response.content.decode()
    assert "/export/csv/?delivery=failed&amp;q=order-a123" in page
    assert "/export/json/?delivery=failed&amp;q=order-a123" in page
    assert response.context["action_form"] is None  # read-only: no Resend, no push
    assert "/export/csv/" not in listed(ops).content.decode()
