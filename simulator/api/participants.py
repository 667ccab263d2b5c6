"""/v1/Conversations/{sid}/Participants and /v1/ParticipantConversations."""

from simulator import clock
from simulator.api import lookups, params, serializers
from simulator.api.common import (
    by_method,
    created,
    form_int,
    no_content,
    ok,
    page,
    resource_views,
    twilio_endpoint,
    webhooks_enabled,
)
from simulator.api.conversations import closed_error
from simulator.api.errors import TwilioError
from simulator.engine import events, store, timers
from simulator.models import SimConversation, SimParticipant


def _list(request, conversation_sid):
    conversation = lookups.conversation(request, conversation_sid)
    return page(
        request,
        conversation.participants.order_by("date_created", "id"),
        product="conversations",
        key="participants",
        serialize=serializers.participant,
        max_page_size=100,
    )


def _create(request, conversation_sid):
    conversation = lookups.conversation(request, conversation_sid)
    if conversation.state == "closed":
        raise closed_error()
    form = request.POST
    projected = params.text(form, "MessagingBinding.ProjectedAddress")
    if projected:
        store.check_address(projected, "MessagingBinding.ProjectedAddress")
    participant = store.add_participant(
        conversation,
        identity=params.text(form, "Identity", max_length=256),
        address=form.get("MessagingBinding.Address"),
        proxy_address=form.get("MessagingBinding.ProxyAddress"),
        projected_address=projected,
        attributes=params.attributes(form, limit_kb=4),
        role_sid=params.sid(form, "RoleSid", "RL"),
    )
    _apply_dates(participant, form)
    participant.save()
    if webhooks_enabled(request):
        events.participant_event("onParticipantAdded", participant)
    return created(serializers.participant(request, participant))


def _fetch(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    return ok(serializers.participant(request, lookups.participant(request, conversation, sid, by_identity=True)))


def _update(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    participant = lookups.participant(request, conversation, sid)
    form = request.POST
    if "Identity" in form:
        identity = params.text(form, "Identity", max_length=256) or None
        if identity and conversation.participants.filter(identity=identity).exclude(pk=participant.pk).exists():
            raise TwilioError(409, 50433, "Participant already exists")
        participant.identity = identity
    if "MessagingBinding.ProxyAddress" in form:
        _move_proxy(participant, form["MessagingBinding.ProxyAddress"])
    if "MessagingBinding.ProjectedAddress" in form:
        projected = form["MessagingBinding.ProjectedAddress"]
        if projected != "null":  # Twilio's way of removing it
            store.check_address(projected, "MessagingBinding.ProjectedAddress")
        participant.projected_address = None if projected == "null" else projected
    participant.attributes = params.attributes(form, limit_kb=4) or participant.attributes
    participant.role_sid = params.sid(form, "RoleSid", "RL") or participant.role_sid
    participant.last_read_message_index = form_int(form, "LastReadMessageIndex", participant.last_read_message_index)
    participant.last_read_timestamp = form.get("LastReadTimestamp", participant.last_read_timestamp)
    participant.date_updated = clock.now()
    _apply_dates(participant, form)
    participant.save()
    if webhooks_enabled(request):
        events.participant_event("onParticipantUpdated", participant)
    return ok(serializers.participant(request, participant))


def _delete(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    participant = lookups.participant(request, conversation, sid)
    if webhooks_enabled(request):
        events.participant_event("onParticipantRemoved", participant)
    participant.delete()  # frees its address+proxy pair
    return no_content()


def _move_proxy(participant, proxy_address: str) -> None:
    """A new proxy must suit the participant's channel and not be a pair another open conversation holds."""
    if not participant.address:
        raise TwilioError(400, 50407, "MessagingBinding.ProxyAddress applies only to SMS and WhatsApp participants")
    store.check_address(proxy_address, "MessagingBinding.ProxyAddress")
    if store.channel_of(proxy_address) != participant.channel:
        raise TwilioError(400, 50407, "MessagingBinding.Address and ProxyAddress must use the same channel")
    taken = store.binding_conflict(participant.address, proxy_address)
    if taken and taken.pk != participant.pk:
        raise TwilioError(
            409,
            50416,
            f"A binding for this participant and proxy address already exists in Conversation {taken.conversation.sid}",
        )
    participant.proxy_address = proxy_address


def _apply_dates(participant, form) -> None:
    participant.date_created = params.date_time(form, "DateCreated") or participant.date_created
    participant.date_updated = params.date_time(form, "DateUpdated") or participant.date_updated


@twilio_endpoint
def participant_conversations(request):
    """Every conversation an address (or chat identity) takes part in, closed ones included."""
    return by_method(request, {"GET": _participant_conversations})


def _participant_conversations(request):
    address, identity = request.GET.get("Address"), request.GET.get("Identity")
    if not address and not identity:
        raise params.invalid("Either Identity or Address must be specified")
    # Only the conversations of the service the path addresses (the short path: the default one).
    rows = SimParticipant.objects.filter(conversation__chat_service_sid=lookups.service_sid(request))
    rows = rows.select_related("conversation").order_by("conversation__date_created", "id")
    rows = rows.filter(address=address) if address else rows
    rows = rows.filter(identity=identity) if identity else rows
    for conversation in SimConversation.objects.filter(participants__in=rows).exclude(state="closed").distinct():
        timers.refresh(conversation)
    return page(
        request,
        rows,
        product="conversations",
        key="conversations",
        serialize=serializers.participant_conversation,
        max_page_size=50,
    )


collection, item = resource_views(
    collection={"GET": _list, "POST": _create},
    item={"GET": _fetch, "POST": _update, "DELETE": _delete},
)
