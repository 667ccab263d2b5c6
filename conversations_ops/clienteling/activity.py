"""The advisor's side of a customer's activity (the fields mirror/activity.py keeps as messages are
recorded): reading their conversation clears the unread count."""

from __future__ import annotations

from conversations_ops.messaging import window as message_window
from conversations_ops.models import Customer


def customer_mark_read(*, customer: Customer, user) -> bool:
    """The owning advisor opened the conversation: nothing of theirs is unread any more. Someone else
    looking (a manager, an auditor) changes nothing: the owner still has to read it."""
    if user is None or customer.advisor_id is None or customer.advisor_id != user.pk:
        return False
    # The newest message may carry Twilio's (the simulator's) clock, ahead of ours.
    read_at = max(t for t in (message_window.window_now(), customer.last_message_at) if t is not None)
    seen = customer.advisor_read_at
    if customer.unread_count == 0 and seen is not None and (customer.last_inbound_at or seen) <= seen:
        return False  # the transcript's polling: no write every few seconds
    customer.advisor_read_at, customer.unread_count = read_at, 0
    Customer.objects.filter(pk=customer.pk).update(advisor_read_at=read_at, unread_count=0)
    return True
