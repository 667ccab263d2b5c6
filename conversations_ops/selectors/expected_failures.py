"""Delivery failures a courier pairing causes by design, which staff need not act on.

The pairing of Twilio's guide (docs/twilio-reference.md) adds the courier to the
conversation before they have written to the business: while the courier's WhatsApp
24-hour window with the business number is closed, each message the customer writes is
relayed to the courier and reported failed with 63016 (free-form outside the window).
The pairing means it that way (the courier is reached with the connected template), so
the home page's count and chart of failed deliveries leave those out. The history still
shows them failed, as Twilio reports them.

The window is WhatsApp's, per person and business number (messaging/window.py, the one
rule): a courier who wrote to that number in the 24 hours before the customer's message,
in this conversation or any other, was reachable, and a 63016 then is not expected.

One rule, as a condition on a message and on a receipt (the same subquery, reached from
each side): written by the customer of the pairing that owns the conversation while the
courier's window with the pairing's number was closed, and failed with 63016 only.
"""

from django.db.models import Exists, OuterRef, Q

from conversations_ops.messaging.window import window_opened_q
from conversations_ops.models import FAILED_RECEIPT_STATUSES, DeliveryReceipt, Message, Pairing, SyncState

OUTSIDE_WINDOW = 63016


def _before_the_courier_wrote(conversation: str, author: str, created: str) -> Exists:
    """A pairing owns the conversation, the message is its customer's, and the courier's window
    with the pairing's WhatsApp number was closed when it was written."""
    # Inbound only (window_opened_q): the invite the console writes as the courier (so that
    # Twilio sends it to the customer alone) is outbound and opens nothing.
    courier_reachable = window_opened_q(
        person=OuterRef("courier_address"), business=OuterRef("sender__address"), before=OuterRef(OuterRef(created))
    )
    return Exists(
        Pairing.objects.filter(conversation_id=OuterRef(conversation), customer_address=OuterRef(author)).filter(
            ~courier_reachable
        )
    )


def expected_failure_receipt_q() -> Q:
    """A receipt that is one of those failures (to exclude from counts of failed receipts)."""
    return Q(error_code=OUTSIDE_WINDOW) & Q(
        _before_the_courier_wrote("message__conversation_id", "message__author", "message__date_created")
    )


def expected_failure_message_q() -> Q:
    """A message whose every failure is one of those (to exclude from counts of failed messages)."""
    receipts = DeliveryReceipt.objects.filter(message_id=OuterRef("pk"), status__in=FAILED_RECEIPT_STATUSES)
    return (
        Q(_before_the_courier_wrote("conversation_id", "author", "date_created"))
        & Q(Exists(receipts.filter(error_code=OUTSIDE_WINDOW)))
        & ~Q(Exists(receipts.exclude(error_code=OUTSIDE_WINDOW)))
        & ~Q(sync_state=SyncState.FAILED)
    )


def expected_failures(messages) -> set[int]:
    """Which of these messages failed only as a pairing expects (one query), for the transcript to say so."""
    pks = [message.pk for message in messages]
    if not pks:
        return set()
    return set(Message.objects.filter(pk__in=pks).filter(expected_failure_message_q()).values_list("pk", flat=True))
