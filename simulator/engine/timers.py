"""The conversation state machine driven by its timers and the simulator clock.

Twilio moves an active conversation to `inactive` after `Timers.Inactive` of
silence and any non-closed one to `closed` after `Timers.Closed`. Here the
move happens lazily: whenever a conversation is read or written, and for all
of them when the control API moves the clock.
"""

from django.utils.dateparse import parse_duration

from simulator import clock
from simulator.engine import events


def due_dates(conversation):
    """(date_inactive, date_closed) the timers lead to, or None for each."""
    inactive = parse_duration(conversation.timers_inactive or "")
    closed = parse_duration(conversation.timers_closed or "")
    start = conversation.last_activity_at
    return (start + inactive if inactive else None), (start + closed if closed else None)


def refresh(conversation) -> None:
    if conversation.state == "closed":
        return
    now = clock.now()
    date_inactive, date_closed = due_dates(conversation)
    if date_closed and date_closed <= now:
        _move(conversation, "closed", date_closed)
    elif date_inactive and date_inactive <= now and conversation.state == "active":
        _move(conversation, "inactive", date_inactive)


def reactivate(conversation) -> None:
    """New activity wakes an inactive conversation (Twilio: Reason EVENT)."""
    if conversation.state == "inactive":
        _move(conversation, "active", clock.now(), reason="EVENT")


def _move(conversation, state_to, when, reason="TIMER"):
    state_from = conversation.state
    conversation.state = state_to
    conversation.date_updated = when
    conversation.save(update_fields=["state", "date_updated"])
    events.state_event(conversation, state_from=state_from, state_to=state_to, reason=reason, when=when)
