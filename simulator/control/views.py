"""The control API: act as a phone, move the clock, approve templates, inspect webhooks."""

import base64
import binascii

from django.db import transaction
from django.http import JsonResponse

from simulator import clock as sim_clock
from simulator.api.approvals import CATEGORIES
from simulator.api.common import own_base
from simulator.control.common import ControlError, body, control_endpoint, number, phone_address
from simulator.engine import inbound as inbound_engine
from simulator.engine import ratelimit, receipt_schedule, store, timers, webhooks_out
from simulator.engine import services as service_engine
from simulator.models import (
    SimAccountWebhooks,
    SimAddressConfiguration,
    SimClock,
    SimConfiguration,
    SimContent,
    SimConversation,
    SimCustomerWindow,
    SimDeliverySettings,
    SimFaults,
    SimHandsetDelivery,
    SimHandsetEntry,
    SimMedia,
    SimNumber,
    SimOptOut,
    SimPhoneNumber,
    SimService,
    SimStudioFlow,
    SimWebhookDelivery,
    SimWhatsAppPreference,
    SimWhatsAppSender,
)
from simulator.sids import iso

APPROVAL_STATUSES = ("unsubmitted", "received", "pending", "approved", "rejected", "paused", "disabled")


@control_endpoint(["POST"])
def inbound(request):
    data = body(request)
    sender, business = phone_address(data, "From"), phone_address(data, "To")
    if not sender or not business:
        raise ControlError(400, "From and To are required")
    media_data, content_type, filename = _sent_file(request, data)
    result = inbound_engine.receive(
        from_=sender,
        to=business,
        body=data.get("Body", ""),
        media_url=data.get("MediaUrl", ""),
        media_content_type=content_type,
        profile_name=data.get("ProfileName", ""),
        media_data=media_data,
        media_filename=filename,
        api_base=own_base(request),
    )
    return JsonResponse(result)


def _sent_file(request, data: dict):
    """A file the phone attaches: a multipart part `Media`, or `MediaData` (base64) with
    `MediaFilename`; (None, ...) when it only names a `MediaUrl`."""
    content_type, filename = data.get("MediaContentType", ""), data.get("MediaFilename", "")
    upload = request.FILES.get("Media") if request.content_type == "multipart/form-data" else None
    if upload is not None:
        return upload.read(), content_type or upload.content_type or "", filename or upload.name
    if data.get("MediaData"):
        try:
            return base64.b64decode(data["MediaData"], validate=True), content_type, filename
        except (binascii.Error, ValueError):
            raise ControlError(400, "MediaData must be base64") from None
    return None, content_type, filename


def entry_json(entry) -> dict:
    # "from" is the business number on received messages: the phone never sees
    # the other participant's own number (masked communication).
    received = entry.direction == SimHandsetEntry.RECEIVED
    return {
        "direction": entry.direction,
        "counterpart": entry.counterpart,
        "from": entry.counterpart if received else entry.address,
        "to": entry.address if received else entry.counterpart,
        "body": entry.body,
        "content_sid": entry.content_sid or None,
        "media": entry.media,
        "status": entry.status,
        "error_code": entry.error_code,
        "reason": inbound_engine.REASONS.get(entry.error_code),
        "date": iso(entry.date),
        "conversation_sid": entry.conversation_sid or None,
        "message_sid": entry.message_sid or None,
        "channel_message_sid": entry.channel_message_sid or None,
        # Twilio's reply to STOP/START/HELP: from the business number, in no conversation.
        "auto_reply": entry.auto_reply,
    }


@control_endpoint(["GET"], atomic=False)
def handset(request, address):
    receipt_schedule.apply_due()  # what has reached the phone by now on the simulator clock
    receipt_schedule.ensure_ticker_if_pending()
    entries = SimHandsetEntry.objects.filter(address=address).order_by("date", "id")
    if request.GET.get("counterpart"):
        entries = entries.filter(counterpart=request.GET["counterpart"])
    return JsonResponse({"address": address, "messages": [entry_json(e) for e in entries]})


def clock_json() -> dict:
    offset = SimClock.objects.filter(pk=1).values_list("offset_seconds", flat=True).first() or 0.0
    return {"now": iso(sim_clock.now()), "offset_seconds": offset}


@control_endpoint(["GET", "POST"])
def clock(request):
    if request.method == "POST":
        seconds = number(body(request), "advance", minimum=0)
        if seconds is None:
            raise ControlError(400, "advance (seconds) is required")
        sim_clock.advance(seconds)
        # Timers run lazily; moving the clock is when every one of them is due.
        for conversation in SimConversation.objects.exclude(state="closed"):
            timers.refresh(conversation)
        # So are receipt steps: a test advances the clock instead of waiting for the ticker.
        receipt_schedule.apply_due()
    return JsonResponse(clock_json())


def content_json(content) -> dict:
    types = content.types or {}
    text = next(
        (t.get("body") for t in [types.get("twilio/text"), *types.values()] if isinstance(t, dict) and t.get("body")),
        "",
    )
    return {
        "sid": content.sid,
        "friendly_name": content.friendly_name,
        "language": content.language,
        "variables": content.variables,
        "body": text,
        "approval": content.approval or None,
    }


@control_endpoint(["GET"], atomic=False)
def content_list(request):
    return JsonResponse({"contents": [content_json(c) for c in SimContent.objects.order_by("id")]})


@control_endpoint(["POST"])
def content_approval(request, sid):
    """Plays WhatsApp's reviewers: a new `status` (with `rejection_reason`), a new `category`, or both.

    A category change is Meta re-categorising the template, during review or after approval
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-categorization);
    Twilio reports the current one in the approval's `category`, nothing else marks the change.
    """
    data = body(request)
    status, category = data.get("status", ""), data.get("category", "")
    if not status and not category:
        raise ControlError(400, "Give status, category or both")
    if status and status not in APPROVAL_STATUSES:
        raise ControlError(400, f"status must be one of {', '.join(APPROVAL_STATUSES)}")
    if category and category.upper() not in CATEGORIES:
        raise ControlError(400, f"category must be one of {', '.join(CATEGORIES)}")
    content = SimContent.objects.select_for_update().filter(sid=sid).first()
    if content is None:
        raise ControlError(404, f"Content {sid} was not found")
    # A template never submitted gets the approval object WhatsApp would have made.
    approval = content.approval or {
        "name": content.friendly_name or content.sid,
        "category": "UTILITY",
        "content_type": next(iter(content.types or {}), "twilio/text"),
        "status": "unsubmitted",
        "rejection_reason": "",
        "allow_category_change": True,
    }
    if status:
        reason = data.get("rejection_reason", "") if status == "rejected" else ""
        approval.update(status=status, rejection_reason=reason)
    if category:
        approval["category"] = category.upper()
    content.approval = approval
    content.date_updated = sim_clock.now()
    content.save(update_fields=["approval", "date_updated"])
    return JsonResponse(content_json(content))


@control_endpoint(["GET", "POST"])
def numbers(request):
    if request.method == "POST":
        data = body(request)
        number_address = phone_address(data, "address")
        if not number_address:
            raise ControlError(400, "address is required")
        store.check_address(number_address, "address")
        SimNumber.objects.update_or_create(
            address=number_address,
            defaults={
                "sms_url": data.get("sms_url", ""),
                "sms_method": (data.get("sms_method") or "POST").upper(),
            },
        )
    rows = SimNumber.objects.order_by("address").values("address", "sms_url", "sms_method")
    return JsonResponse({"numbers": list(rows)})


def delivery_json(row) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "event_type": row.event_type,
        "url": row.url,
        "method": row.method,
        "params": row.params,
        "signature": row.signature,
        "status_code": row.status_code,
        "response_excerpt": row.response_excerpt,
        "error": row.error,
        "duration_ms": row.duration_ms,
        "conversation_sid": row.conversation_sid or None,
        "queued_at": iso(row.queued_at),
        "delivered_at": iso(row.delivered_at),
        "idempotency_token": row.idempotency_token or None,
        "duplicate_of": row.duplicate_of_id,
    }


@control_endpoint(["GET"], atomic=False)
def deliveries(request):
    rows = SimWebhookDelivery.objects.order_by("-id")
    for field in ("conversation_sid", "event_type", "kind"):
        if request.GET.get(field):
            rows = rows.filter(**{field: request.GET[field]})
    limit = int(number(dict(request.GET.items()), "limit", 50, minimum=1, maximum=1000))
    return JsonResponse({"deliveries": [delivery_json(r) for r in rows[:limit]]})


def conversation_json(conversation) -> dict:
    return {
        "sid": conversation.sid,
        "unique_name": conversation.unique_name,
        "friendly_name": conversation.friendly_name,
        "state": conversation.state,
        "date_created": iso(conversation.date_created),
        "participants": [
            {
                "sid": p.sid,
                "address": p.address,
                "proxy_address": p.proxy_address,
                "identity": p.identity,
                "channel": p.channel,
            }
            for p in conversation.participants.all()
        ],
        "messages": conversation.messages.count(),
    }


@control_endpoint(["GET"], atomic=False)
def conversations(request):
    """The newest conversations, so a person can see what their message created."""
    limit = int(number(dict(request.GET.items()), "limit", 20, minimum=1, maximum=200))
    newest = list(SimConversation.objects.order_by("-id").prefetch_related("participants")[:limit])
    for conversation in newest:
        timers.refresh(conversation)  # show the state the timers have reached by now
    return JsonResponse({"conversations": [conversation_json(c) for c in newest]})


@control_endpoint(["POST"], atomic=False)
def drain(request):
    timeout = number(body(request), "timeout", 10, minimum=0, maximum=120)
    return JsonResponse({"drained": webhooks_out.drain(timeout)})


@control_endpoint(["POST"], atomic=False)
def reset(request):
    """Wipes the simulated world: conversations (and their receipt steps), phones and what they do,
    templates, numbers and senders, media, opt-outs and WhatsApp users' preferences, Studio flows, clock, faults,
    delivery switches, webhook log, rate-limit windows, Conversation Services and the account's /v1/Configuration."""
    drained = webhooks_out.drain(5)  # let webhooks in flight finish before their rows go
    with transaction.atomic():
        for model in (
            SimConversation,
            SimAddressConfiguration,
            SimAccountWebhooks,
            SimContent,
            SimNumber,
            SimPhoneNumber,
            SimWhatsAppSender,
            SimHandsetEntry,
            SimWebhookDelivery,
            SimClock,
            SimFaults,
            SimMedia,
            SimCustomerWindow,
            SimDeliverySettings,
            SimHandsetDelivery,
            SimService,
            SimConfiguration,
            SimOptOut,
            SimWhatsAppPreference,
            SimStudioFlow,
        ):
            model.objects.all().delete()
    ratelimit.reset()
    return JsonResponse({"reset": True, "drained": drained, **clock_json()})


@control_endpoint(["GET", "POST"])
def services(request):
    """GET: the account's Conversation Services, the default one marked. POST (`FriendlyName`):
    a new one (what POST /v1/Services does, without credentials)."""
    made = None
    if request.method == "POST":
        data = body(request)
        made = service_engine.create(str(data.get("FriendlyName") or data.get("friendly_name") or ""))
    default = service_engine.default_service_sid()
    rows = service_engine.services()
    return JsonResponse(
        {
            **({"sid": made.sid} if made else {}),
            "default_chat_service_sid": default,
            "services": [
                {"sid": row.sid, "friendly_name": row.friendly_name, "default": row.sid == default} for row in rows
            ],
        },
        status=201 if request.method == "POST" else 200,
    )
