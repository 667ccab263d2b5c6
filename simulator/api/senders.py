"""Messaging v2 Channels Senders: the account's WhatsApp senders (list and fetch).

Served at /simulator/messaging/v2/Channels/Senders in the shape of
vendor/twilio-oai/twilio_messaging_v2.json (ListChannelsSender, FetchChannelsSender):
`Channel` is required (`whatsapp` or `rcs`; the simulator has no RCS senders), PageSize up
to 1000, Conversations-style `meta` paging with the key `senders`.
"""

from simulator.api.common import by_method, ok, page, product_base, resource_missing, twilio_endpoint
from simulator.api.errors import TwilioError
from simulator.models import SimWhatsAppSender

CHANNELS = ("whatsapp", "rcs")


def sender_json(request, row: SimWhatsAppSender) -> dict:
    return {
        "sid": row.sid,
        "status": row.status,
        "sender_id": row.sender_id,
        "configuration": {
            "waba_id": "1" * 15,
            "verification_method": "sms",
            "verification_code": None,
            "voice_application_sid": None,
        },
        "webhook": {
            "callback_url": None,
            "callback_method": "POST",
            "fallback_url": None,
            "fallback_method": "POST",
            "status_callback_url": None,
            "status_callback_method": None,
        },
        "profile": {"name": row.profile_name or None, "about": None, "address": None, "description": None},
        "properties": {"quality_rating": "HIGH", "messaging_limit": "1K Customers/24hr"},
        "offline_reasons": None,
        "compliance": None,
        "url": f"{product_base(request, 'messaging')}/v2/Channels/Senders/{row.sid}",
    }


def _list(request):
    channel = request.GET.get("Channel")
    if not channel:
        raise TwilioError(400, 20001, "Required parameter Channel is missing")
    if channel not in CHANNELS:
        raise TwilioError(400, 20001, f"Invalid Channel '{channel}': expected whatsapp or rcs")
    rows = SimWhatsAppSender.objects.order_by("id")
    if channel != "whatsapp":
        rows = rows.none()
    return page(request, rows, product="messaging", key="senders", serialize=sender_json, max_page_size=1000)


def _fetch(request, sid):
    row = SimWhatsAppSender.objects.filter(sid=sid).first()
    if row is None:
        raise resource_missing(request)
    return ok(sender_json(request, row))


@twilio_endpoint
def collection(request):
    return by_method(request, {"GET": _list})


@twilio_endpoint
def item(request, sid):
    return by_method(request, {"GET": _fetch}, sid)
