"""/v1/Conversations: create, list, fetch, update (state, timers) and delete."""

from datetime import timedelta

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

from simulator import clock
from simulator.api import lookups, params, serializers
from simulator.api.common import (
    created,
    no_content,
    ok,
    page,
    resource_views,
    webhooks_enabled,
)
from simulator.api.errors import TwilioError
from simulator.engine import events, store, timers
from simulator.models import SimConversation

STATES = ("initializing", "inactive", "active", "closed")


def closed_error() -> TwilioError:
    return TwilioError(400, 50377, "Can't update conversation as it's in final closed state")


def _fields(form) -> dict:
    """The create/update parameters that were sent, checked."""
    values = {
        "friendly_name": params.text(form, "FriendlyName", max_length=256),
        "unique_name": params.unique_name(form, "UniqueName", sid_prefix="CH", sid_code=50390),
        "attributes": params.attributes(form, limit_kb=16),
        "state": params.choice(form, "State", STATES),
        "timers_inactive": params.duration(
            form, "Timers.Inactive", minimum=timedelta(minutes=1), format_code=50379, minimum_code=50375
        ),
        "timers_closed": params.duration(
            form, "Timers.Closed", minimum=timedelta(minutes=10), format_code=50380, minimum_code=50376
        ),
        "messaging_service_sid": params.sid(form, "MessagingServiceSid", "MG"),
        "date_created": params.date_time(form, "DateCreated"),
        "date_updated": params.date_time(form, "DateUpdated"),
    }
    return {name: value for name, value in values.items() if value is not None}


def _list(request):
    _refresh_timed_conversations()
    rows = lookups.conversations(request).order_by("date_created", "id")
    state = params.choice(request.GET, "State", STATES)
    if state:
        rows = rows.filter(state=state)
    for name, lookup in (("StartDate", "date_created__gte"), ("EndDate", "date_created__lte")):
        if request.GET.get(name):
            rows = rows.filter(**{lookup: _date_filter(name, request.GET[name], end=name == "EndDate")})
    return page(
        request,
        rows,
        product="conversations",
        key="conversations",
        serialize=serializers.conversation,
        max_page_size=100,
    )


def _create(request):
    fields = _fields(request.POST)
    _check_initial_state(fields)
    conversation = store.create_conversation(
        **{
            name: fields.get(name)
            for name in (
                "unique_name",
                "friendly_name",
                "attributes",
                "state",
                "timers_inactive",
                "timers_closed",
                "messaging_service_sid",
            )
        },
        chat_service_sid=lookups.service_sid(request),
    )
    conversation.date_created = fields.get("date_created", conversation.date_created)
    conversation.date_updated = fields.get("date_updated", conversation.date_updated)
    conversation.save(update_fields=["date_created", "date_updated"])
    if webhooks_enabled(request):
        events.conversation_event("onConversationAdded", conversation)
    return created(serializers.conversation(request, conversation))


def _check_initial_state(fields) -> None:
    """What a create may start with (Twilio errors 50384 and 50382, create only: an update
    may close a conversation, and its timers count from the state it is in)."""
    if fields.get("state") == "closed":
        # https://www.twilio.com/docs/errors/50384: start it active or inactive.
        raise TwilioError(400, 50384, "Initial state can't be 'closed': create the conversation active or inactive")
    if "state" not in fields and {"timers_inactive", "timers_closed"} & fields.keys():
        # https://www.twilio.com/docs/errors/50382: timers on create come with the State they run from.
        raise TwilioError(400, 50382, "Timer can't be set without state: send State with Timers.Inactive/Closed")


def _fetch(request, sid):
    return ok(serializers.conversation(request, lookups.conversation(request, sid)))


def _update(request, sid):
    conversation = lookups.conversation(request, sid)
    if conversation.state == "closed":
        raise closed_error()
    fields = _fields(request.POST)
    unique_name = fields.get("unique_name")
    if unique_name and SimConversation.objects.filter(unique_name=unique_name).exclude(pk=conversation.pk).exists():
        raise TwilioError(409, 50353, f"Conversation with provided unique name '{unique_name}' already exists")
    now = clock.now()
    state_from = conversation.state
    for name, value in fields.items():
        setattr(conversation, name, value)
    conversation.unique_name = conversation.unique_name or None  # an empty UniqueName removes it
    if {"timers_inactive", "timers_closed"} & fields.keys() or fields.get("state") == "active":
        # New timers, or a reactivation, count from now rather than from the last message.
        conversation.last_activity_at = now
    if "date_updated" not in fields:
        conversation.date_updated = now
    conversation.save()
    # A closed conversation frees its address+proxy pairs: store.binding_conflict skips it.
    if webhooks_enabled(request):
        events.conversation_event("onConversationUpdated", conversation)
        if conversation.state != state_from:
            events.state_event(conversation, state_from=state_from, state_to=conversation.state, reason="API", when=now)
    return ok(serializers.conversation(request, conversation))


def _delete(request, sid):
    conversation = lookups.conversation(request, sid)
    if webhooks_enabled(request):
        # Before the delete, while the conversation (and what the event names) still exists.
        events.conversation_event("onConversationRemoved", conversation)
    conversation.delete()  # participants, messages, receipts and scoped webhooks cascade
    return no_content()


def _refresh_timed_conversations() -> None:
    """A list filtered by State must see the states the timers have reached by now."""
    timed = Q(timers_inactive__isnull=False) | Q(timers_closed__isnull=False)
    for conversation in SimConversation.objects.exclude(state="closed").filter(timed):
        timers.refresh(conversation)


def _date_filter(name: str, value: str, *, end: bool):
    """StartDate/EndDate take a date (whole days) or a date-time."""
    moment = parse_datetime(value)
    if moment is not None and moment.tzinfo is not None:
        return moment
    day = parse_date(value)
    if day is None:
        raise params.invalid(f"Invalid {name}: '{value}' is not an ISO-8601 date")
    start = parse_datetime(f"{day.isoformat()}T00:00:00Z")
    return start + timedelta(days=1) - timedelta(microseconds=1) if end else start


collection, item = resource_views(
    collection={"GET": _list, "POST": _create},
    item={"GET": _fetch, "POST": _update, "DELETE": _delete},
)
