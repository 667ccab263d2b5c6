"""Finding the resource a URL names, the ways Twilio allows, or Twilio's 404."""

from django.db.models import Q

from simulator.api.common import resource_missing
from simulator.api.params import is_sid
from simulator.engine import receipt_schedule, timers
from simulator.models import SimConversation


def conversation(request, sid_or_unique_name: str) -> SimConversation:
    """By CH sid or unique_name, with its timers and due receipt steps applied first so what
    Twilio answers is current on the simulator clock."""
    row = SimConversation.objects.filter(Q(sid=sid_or_unique_name) | Q(unique_name=sid_or_unique_name)).first()
    if row is None:
        raise resource_missing(request)
    timers.refresh(row)
    receipt_schedule.apply_due(conversation=row)
    receipt_schedule.ensure_ticker_if_pending()
    return row


def participant(request, conversation_row, sid: str, *, by_identity: bool = False):
    """By MB sid; fetch also accepts the participant's identity."""
    lookup = Q(sid=sid) | Q(identity=sid) if by_identity else Q(sid=sid)
    row = conversation_row.participants.filter(lookup).first()
    if row is None:
        raise resource_missing(request)
    return row


def child(request, queryset, sid: str, prefix: str):
    """A resource addressed only by its SID (messages IM, receipts DY, webhooks WH, content HX)."""
    if not is_sid(sid, prefix):
        raise resource_missing(request)
    row = queryset.filter(sid=sid).first()
    if row is None:
        raise resource_missing(request)
    return row
