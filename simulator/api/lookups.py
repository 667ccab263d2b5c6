"""Finding the resource a URL names, the ways Twilio allows, or Twilio's 404."""

from django.db.models import Q

from simulator.api.common import resource_missing
from simulator.api.params import is_sid
from simulator.engine import receipt_schedule, services, timers
from simulator.models import SimConversation


def service_sid(request) -> str:
    """The Conversation Service a request addresses: the one its /v1/Services/{sid}/ path names
    (404 if there is no such service), else the account's default (/v1/Configuration). The short
    paths never reach a conversation of another service."""
    named = getattr(request, "sim_chat_service_sid", None)
    if named is None:
        return services.default_service_sid()
    if not services.exists(named):
        raise resource_missing(request)
    return named


def conversations(request):
    """The conversations the request's service holds."""
    return SimConversation.objects.filter(chat_service_sid=service_sid(request))


def conversation(request, sid_or_unique_name: str) -> SimConversation:
    """By CH sid or unique_name within the request's service, with its timers and due receipt
    steps applied first so what Twilio answers is current on the simulator clock."""
    lookup = Q(sid=sid_or_unique_name) | Q(unique_name=sid_or_unique_name)
    row = conversations(request).filter(lookup).first()
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
