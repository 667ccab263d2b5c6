"""/v1/Conversations/{sid}/Messages and their delivery Receipts."""

import json

from django.db.models import Q

from simulator import clock
from simulator.api import lookups, params, serializers
from simulator.api.common import (
    by_method,
    created,
    no_content,
    ok,
    page,
    resource_views,
    twilio_endpoint,
    webhooks_enabled,
)
from simulator.api.conversations import closed_error
from simulator.api.errors import TwilioError
from simulator.engine import delivery, events, store, timers
from simulator.engine import media as media_engine
from simulator.models import SimContent, SimMedia, SimReceipt

# https://www.twilio.com/docs/conversations/conversations-limits: a message Body is limited by
# channel, "WhatsApp and SMS: 1600 Characters", "Chat: 32KB". The resource takes up to the chat
# limit; the 1,600 characters are the Messaging layer's, per SMS/WhatsApp recipient, on delivery
# (engine/messaging_rules.py: that receipt fails with 21617).
MAX_BODY_BYTES = 32 * 1024
BODY_TOO_LONG = 50504  # https://www.twilio.com/docs/errors/50504, "Message body parameter is too long"


def _list(request, conversation_sid):
    conversation = lookups.conversation(request, conversation_sid)
    order = params.choice(request.GET, "Order", ("asc", "desc")) or "asc"
    rows = conversation.messages.order_by("index" if order == "asc" else "-index").prefetch_related("receipts")
    return page(
        request, rows, product="conversations", key="messages", serialize=serializers.message, max_page_size=100
    )


def _create(request, conversation_sid):
    conversation = lookups.conversation(request, conversation_sid)
    if conversation.state == "closed":
        raise closed_error()
    form = request.POST
    body, media_sid = _body(form), params.sid(form, "MediaSid", "ME")
    content_sid, variables = _content(form)
    if not (body or media_sid or content_sid):
        raise params.invalid("A message needs a Body, a MediaSid or a ContentSid")
    author = params.text(form, "Author", max_length=256) or "system"
    message = store.create_message(
        conversation,
        author=author,
        body=body,
        attributes=params.attributes(form, limit_kb=4),
        # The spec: with a ContentSid, Body and MediaSid are ignored.
        media=None if content_sid or not media_sid else [_media(media_sid)],
        content_sid=content_sid,
        content_variables=variables,
        subject=params.text(form, "Subject", max_length=256),
        participant=_author_participant(conversation, author),
        date_created=params.date_time(form, "DateCreated"),
    )
    if message.media:
        media_engine.attach(media_sid, conversation=conversation, message_sid=message.sid)
    timers.reactivate(conversation)
    if webhooks_enabled(request):
        events.message_event("onMessageAdded", message)
    # Phones receive the message whatever the webhook header said.
    delivery.deliver(message)
    return created(serializers.message(request, message))


def _fetch(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    return ok(serializers.message(request, lookups.child(request, conversation.messages, sid, "IM")))


def _update(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    message = lookups.child(request, conversation.messages, sid, "IM")
    form = request.POST
    message.author = params.text(form, "Author", max_length=256) or message.author
    message.body = _body(form) if "Body" in form else message.body
    message.attributes = params.attributes(form, limit_kb=4) or message.attributes
    message.subject = params.text(form, "Subject", max_length=256) if "Subject" in form else message.subject
    message.date_created = params.date_time(form, "DateCreated") or message.date_created
    message.date_updated = params.date_time(form, "DateUpdated") or clock.now()
    message.save()
    if webhooks_enabled(request):
        events.message_event("onMessageUpdated", message)
    return ok(serializers.message(request, message))


def _delete(request, conversation_sid, sid):
    conversation = lookups.conversation(request, conversation_sid)
    message = lookups.child(request, conversation.messages, sid, "IM")
    if webhooks_enabled(request):
        events.message_event("onMessageRemoved", message)
    message.delete()
    return no_content()


def _body(form):
    body = form.get("Body")
    if body is not None and len(body.encode()) > MAX_BODY_BYTES:
        raise TwilioError(400, BODY_TOO_LONG, f"Message body parameter is too long: at most {MAX_BODY_BYTES} bytes")
    return body


def _content(form):
    """ContentSid must name a Content resource; ContentVariables is a JSON object of strings."""
    content_sid = params.sid(form, "ContentSid", "HX")
    if content_sid and not SimContent.objects.filter(sid=content_sid).exists():
        raise TwilioError(400, 21655, f"The ContentSid {content_sid} is invalid: no such Content resource")
    variables = form.get("ContentVariables")
    if variables is not None:
        try:
            parsed = json.loads(variables)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise TwilioError(400, 21656, "The ContentVariables parameter is invalid: expected a JSON object")
    return content_sid, variables


def _media(media_sid: str) -> dict:
    """Twilio's media item, from what was uploaded to the Media Content Service. A SID the
    simulator never stored is kept with nothing known about it (lenient on purpose: tests
    may name media they never uploaded)."""
    row = SimMedia.objects.filter(sid=media_sid).first()
    if row is None:
        return {"sid": media_sid, "content_type": None, "filename": None, "size": None}
    return media_engine.item(row)


def _author_participant(conversation, author: str):
    """The participant who wrote the message: an identity or a messaging address."""
    return conversation.participants.filter(Q(identity=author) | Q(address=author)).first()


# Receipts ---------------------------------------------------------------------


@twilio_endpoint
def receipts(request, conversation_sid, message_sid):
    return by_method(request, {"GET": _receipt_list}, conversation_sid, message_sid)


@twilio_endpoint
def receipt(request, conversation_sid, message_sid, sid):
    return by_method(request, {"GET": _receipt_fetch}, conversation_sid, message_sid, sid)


def _receipts_of(request, conversation_sid, message_sid):
    conversation = lookups.conversation(request, conversation_sid)
    message = lookups.child(request, conversation.messages, message_sid, "IM")
    return SimReceipt.objects.filter(message=message).select_related("message__conversation", "participant")


def _receipt_list(request, conversation_sid, message_sid):
    rows = _receipts_of(request, conversation_sid, message_sid).order_by("date_created", "id")
    return page(
        request, rows, product="conversations", key="delivery_receipts", serialize=serializers.receipt, max_page_size=50
    )


def _receipt_fetch(request, conversation_sid, message_sid, sid):
    row = lookups.child(request, _receipts_of(request, conversation_sid, message_sid), sid, "DY")
    return ok(serializers.receipt(request, row))


collection, item = resource_views(
    collection={"GET": _list, "POST": _create},
    item={"GET": _fetch, "POST": _update, "DELETE": _delete},
)
