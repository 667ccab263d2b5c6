"""A pairing's expected 63016 (the customer writes while the courier's WhatsApp window with the
pairing's number is closed) is no failure for staff to act on: left out of the home page's
count, its link and its chart; still failed in the history, as Twilio reports it. Everything
else that failed still counts. The courier's window is per person and business number: what
they wrote to that number in another conversation, or on its Messaging webhook, counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations_ops.models import Message, MessagingInbound, Participant
from conversations_ops.selectors.dashboard_charts import chart_window, delivery_failures_by_day
from tests.dashboard.helpers import items

pytestmark = pytest.mark.django_db

CUSTOMER, COURIER = "whatsapp:+15017122661", "whatsapp:+15017122662"
FAILED_LIST = "/admin/conversations_ops/message/?delivery=failed&when=24h"


def both_people(conversation, business):
    for address in (CUSTOMER, COURIER):
        Participant.objects.create(
            conversation=conversation,
            messaging_binding_type="whatsapp",
            messaging_binding_address=address,
            messaging_binding_proxy_address=business,
        )


@pytest.fixture
def paired(rows, address_configuration):
    conversation = rows.conversation(unique_name="pairing-1")
    both_people(conversation, address_configuration.address)
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


def test_a_courier_who_wrote_to_the_number_in_another_conversation_was_reachable(
    admin_client, rows, paired, address_configuration
):
    earlier = rows.conversation(unique_name="pairing-0")
    both_people(earlier, address_configuration.address)
    rows.message(
        conversation=earlier, author=COURIER, direction="inbound", date_created=timezone.now() - timedelta(hours=2)
    )
    customer_writes(rows, paired, minutes_ago=30)  # the courier's window was open: a real failure

    assert counted(admin_client) == 1 and failures_today() == 1


def test_what_the_courier_wrote_to_another_number_or_over_24_hours_before_opens_nothing(
    admin_client, rows, paired, address_configuration
):
    elsewhere = rows.conversation(unique_name="other-number")
    Participant.objects.create(
        conversation=elsewhere,
        messaging_binding_type="whatsapp",
        messaging_binding_address=COURIER,
        messaging_binding_proxy_address="whatsapp:+14155550999",
    )
    rows.message(
        conversation=elsewhere, author=COURIER, direction="inbound", date_created=timezone.now() - timedelta(hours=1)
    )
    rows.message(
        conversation=paired, author=COURIER, direction="inbound", date_created=timezone.now() - timedelta(hours=25)
    )
    customer_writes(rows, paired, minutes_ago=30)

    assert counted(admin_client) == 0 and failures_today() == 0


def test_a_courier_message_on_the_numbers_messaging_webhook_opens_the_window_too(
    admin_client, rows, paired, address_configuration
):
    MessagingInbound.objects.create(
        message_sid="SM" + "1" * 32,
        from_address=COURIER,
        to_address=address_configuration.address,
        received_at=timezone.now() - timedelta(hours=3),
    )
    customer_writes(rows, paired, minutes_ago=30)

    assert counted(admin_client) == 1 and failures_today() == 1


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
