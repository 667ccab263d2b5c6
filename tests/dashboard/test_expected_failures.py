"""A pairing's expected 63016 (the customer writes before the courier ever did) is no failure
for staff to act on: left out of the home page's count, its link and its chart; still failed
in the history, as Twilio reports it. Everything else that failed still counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations_ops.models import Message
from conversations_ops.selectors.dashboard_charts import chart_window, delivery_failures_by_day
from tests.dashboard.helpers import items

pytestmark = pytest.mark.django_db

CUSTOMER, COURIER = "whatsapp:+15017122661", "whatsapp:+15017122662"
FAILED_LIST = "/admin/conversations_ops/message/?delivery=failed&when=24h"


@pytest.fixture
def paired(rows, address_configuration):
    conversation = rows.conversation(unique_name="pairing-1")
    rows.pairing(state="connected", sender=address_configuration, conversation=conversation)
    return conversation


def customer_writes(rows, conversation, *, minutes_ago, code=63016, author=CUSTOMER):
    message = rows.message(
        conversation=conversation,
        author=author,
        direction="inbound",
        date_created=timezone.now() - timedelta(minutes=minutes_ago),
    )
    rows.receipts(
        1, status="failed", error_code=code, message=message, date_updated=message.date_created + timedelta(seconds=2)
    )
    return message


def counted(client) -> int:
    shown = items(client).get("failed_deliveries")
    return shown[0] if shown else 0


def failures_today() -> int:
    return delivery_failures_by_day(window=chart_window(days=7))[-1]


def test_the_customers_replies_before_the_courier_wrote_are_left_out(admin_client, rows, paired):
    # The invite, which the console writes as the courier (outbound): the courier has not written.
    rows.message(
        conversation=paired, author=COURIER, direction="outbound", date_created=timezone.now() - timedelta(minutes=31)
    )
    customer_writes(rows, paired, minutes_ago=30)
    customer_writes(rows, paired, minutes_ago=29)

    assert counted(admin_client) == 0 and failures_today() == 0
    # Still failed in the history: that is what Twilio reported.
    assert admin_client.get(FAILED_LIST).context["cl"].result_count == 2
    attention = admin_client.get(FAILED_LIST.replace("delivery=failed", "delivery=attention"))
    assert attention.context["cl"].result_count == 0


def test_once_the_courier_wrote_a_63016_is_a_real_failure(admin_client, rows, paired):
    customer_writes(rows, paired, minutes_ago=30)  # expected
    rows.message(
        conversation=paired, author=COURIER, direction="inbound", date_created=timezone.now() - timedelta(minutes=20)
    )
    customer_writes(rows, paired, minutes_ago=10)  # the courier's window closed again: act on it

    assert counted(admin_client) == 1 and failures_today() == 1
    link = items(admin_client)["failed_deliveries"][1]
    assert admin_client.get(link).context["cl"].result_count == 1


def test_other_codes_and_other_conversations_still_count(admin_client, rows, paired):
    customer_writes(rows, paired, minutes_ago=30, code=30008)  # not the window: something is wrong
    customer_writes(rows, rows.conversation(), minutes_ago=30)  # no pairing owns this conversation
    customer_writes(rows, paired, minutes_ago=25, author=COURIER)  # the courier's own message

    assert counted(admin_client) == 3 and failures_today() == 3


def test_a_message_failing_for_another_reason_too_still_counts(admin_client, rows, paired):
    message = customer_writes(rows, paired, minutes_ago=30)
    rows.receipts(1, status="undelivered", error_code=30003, message=message)
    assert counted(admin_client) == 1


def test_a_send_twilio_refused_still_counts(admin_client, rows, paired):
    message = customer_writes(rows, paired, minutes_ago=30)
    Message.objects.filter(pk=message.pk).update(sync_state="failed")
    assert counted(admin_client) == 1


def test_the_transcript_says_which_failures_were_expected(admin_client, rows, paired):
    customer_writes(rows, paired, minutes_ago=30)  # expected
    rows.message(
        conversation=paired, author=COURIER, direction="inbound", date_created=timezone.now() - timedelta(minutes=20)
    )
    customer_writes(rows, paired, minutes_ago=10)  # not

    html = admin_client.get(f"/admin/conversations_ops/message/transcript/{paired.pk}/").content.decode()
    assert html.count('class="transcript-expected"') == 1
    assert "Expected: the courier" in html
