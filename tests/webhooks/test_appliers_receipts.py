"""onDeliveryUpdated and Messaging status callbacks: receipts only move forward,
and the message's delivery summary follows them."""

import pytest

from conversations_ops.models import Conversation, DeliveryReceipt, Message, ProcessingState, SyncState
from tests.webhooks.builders import at, deliver, delivery_event, message_event, outcome_of, sid, status_callback

pytestmark = pytest.mark.django_db
CH, IM = sid("CH"), sid("IM")
DY1, DY2 = sid("DY", 1), sid("DY", 2)


def summary(total, **statuses):
    return {
        "total": total,
        **{name: statuses.get(name, "none") for name in ("sent", "delivered", "read", "failed", "undelivered")},
    }


def receipt(status, dy=DY1, **kwargs):
    return delivery_event(CH, IM, dy, status=status, **kwargs)


def test_a_receipt_for_an_unknown_message_stores_both_and_the_summary(client):
    outcome = outcome_of(client, receipt("sent", participant_sid=sid("MB", 7), channel_sid=sid("SM", 9), created=1))

    assert outcome == f"receipt {DY1} stored (sent) for message {IM}; delivery summary: total 1, sent all"
    row = DeliveryReceipt.objects.get(sid=DY1)
    assert (
        row.message.sid,
        row.message.conversation.sid,
        row.status,
        row.participant_sid,
        row.channel_message_sid,
        row.error_code,
        row.date_created,
        row.sync_state,
    ) == (IM, CH, "sent", sid("MB", 7), sid("SM", 9), None, at(1), SyncState.SYNCED)
    assert Message.objects.get(sid=IM).delivery == summary(1, sent="all")


@pytest.mark.parametrize(
    "statuses, final",
    [
        (["sent", "delivered", "read"], "read"),
        (["read", "delivered", "sent"], "read"),
        (["delivered", "failed", "sent"], "failed"),
        (["undelivered", "delivered"], "undelivered"),
    ],
)
def test_a_receipt_never_goes_back(client, statuses, final):
    for n, status in enumerate(statuses):
        deliver(client, receipt(status, updated=n))
    assert DeliveryReceipt.objects.get(sid=DY1).status == final


def test_a_late_step_is_skipped_and_said_so(client):
    deliver(client, receipt("delivered", updated=2))
    assert outcome_of(client, receipt("sent", updated=1)) == (
        f"skipped: receipt {DY1} is already delivered (a receipt never goes back to sent)"
    )


def test_a_failure_keeps_its_code_and_the_summary_counts_each_recipient(client):
    deliver(client, receipt("delivered", DY1))
    outcome = outcome_of(client, receipt("failed", DY2, error=63016))
    assert "stored (failed, error 63016)" in outcome
    assert DeliveryReceipt.objects.get(sid=DY2).error_code == 63016
    assert DeliveryReceipt.objects.get(sid=DY1).error_code is None, "ErrorCode 0 means no error"
    assert Message.objects.get(sid=IM).delivery == summary(2, sent="some", delivered="some", failed="some")


def test_message_events_before_and_after_receipts_keep_the_summary(client):
    deliver(client, receipt("delivered"))
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, body="On my way"))
    row = Message.objects.get(sid=IM)
    assert (row.body, row.index, row.delivery) == ("On my way", 0, summary(1, sent="all", delivered="all"))


def test_a_summary_from_twilio_counting_more_receipts_than_webhooks_brought_is_kept(client):
    pulled = summary(2, sent="all", delivered="all")
    Message.objects.create(
        conversation=Conversation.objects.create(sid=CH, sync_state="synced"),
        sid=IM,
        index=0,
        sync_state="synced",
        delivery=pulled,
    )
    outcome = outcome_of(client, receipt("read"))
    assert outcome.endswith("delivery summary kept: Twilio counted 2 receipts, webhooks brought 1")
    assert Message.objects.get(sid=IM).delivery == pulled


def test_a_receipt_for_a_message_being_pushed_waits_for_its_sid(client):
    conversation = Conversation.objects.create(sid=CH, sync_state="synced")
    local = Message.objects.create(conversation=conversation, body="sending...")  # pending, no SID yet

    event = deliver(client, receipt("sent"))

    assert event.processing_state == ProcessingState.PENDING and event.locked_until is not None
    assert event.processing_error.startswith("NotInMirrorYet: message")
    assert not DeliveryReceipt.objects.exists() and Message.objects.count() == 1

    Message.objects.filter(pk=local.pk).update(sid=IM, index=0, sync_state="synced")  # the push runner got its SID
    from conversations_ops.webhooks.apply import webhook_event_apply

    event = webhook_event_apply(event_id=event.pk)
    assert event.processing_state == ProcessingState.PROCESSED
    assert DeliveryReceipt.objects.get(sid=DY1).message_id == local.pk


def test_a_status_callback_moves_the_matching_receipt_forward(client):
    deliver(client, receipt("sent", channel_sid=sid("SM", 5)))

    outcome = outcome_of(client, status_callback(sid("SM", 5), "delivered"), "status")

    assert outcome == (
        f"status callback: {sid('SM', 5)} delivered; receipt {DY1} sent -> delivered; "
        f"delivery summary: total 1, sent all, delivered all"
    )
    assert outcome_of(client, status_callback(sid("SM", 5), "sent"), "status").endswith(
        "(a receipt never goes back to sent)"
    )
    assert DeliveryReceipt.objects.get(sid=DY1).status == "delivered"


def test_a_status_callback_failure_brings_its_error_code(client):
    deliver(client, receipt("sent", channel_sid=sid("SM", 5)))
    deliver(client, status_callback(sid("SM", 5), "undelivered", error=30005), "status")
    row = DeliveryReceipt.objects.get(sid=DY1)
    assert (row.status, row.error_code) == ("undelivered", 30005)
    assert Message.objects.get(sid=IM).delivery == summary(1, undelivered="all")


def test_a_status_callback_without_a_receipt_or_for_a_non_delivery_step_is_recorded_only(client):
    assert outcome_of(client, status_callback(sid("SM", 8), "delivered"), "status") == (
        f"status callback: {sid('SM', 8)} delivered; no receipt in the mirror has this channel message SID "
        f"(kept on this event)"
    )
    deliver(client, receipt("sent", channel_sid=sid("SM", 5)))
    assert outcome_of(client, status_callback(sid("SM", 5), "queued"), "status").endswith(
        "not a delivery step, receipt unchanged"
    )
    assert DeliveryReceipt.objects.get(sid=DY1).status == "sent"
