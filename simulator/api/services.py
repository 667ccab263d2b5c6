"""/v1/Services (Conversation Services) and /v1/Configuration (the account's defaults).

Shapes: vendor/twilio-oai/twilio_conversations_v1.json (`conversations.v1.service`,
`conversations.v1.configuration`). The rules they carry (short paths = the default
service, default timers on new conversations) live in engine/services.py and engine/store.py.
"""

from datetime import timedelta

from django.conf import settings

from simulator.api import params
from simulator.api.common import (
    by_method,
    created,
    ok,
    page,
    product_base,
    resource_missing,
    resource_views,
    twilio_endpoint,
)
from simulator.api.errors import TwilioError
from simulator.engine import services
from simulator.models import SimService
from simulator.sids import iso


def _base(request) -> str:
    return f"{product_base(request, 'conversations')}/v1"


def service_json(request, row) -> dict:
    url = f"{_base(request)}/Services/{row.sid}"
    return {
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "sid": row.sid,
        "friendly_name": row.friendly_name,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "url": url,
        "links": {
            name: f"{url}/{path}"
            for name, path in (
                ("conversations", "Conversations"),
                ("users", "Users"),
                ("roles", "Roles"),
                ("bindings", "Bindings"),
                ("configuration", "Configuration"),
                ("participant_conversations", "ParticipantConversations"),
            )
        },
    }


def configuration_json(request, row) -> dict:
    return {
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "default_chat_service_sid": row.default_chat_service_sid,
        "default_messaging_service_sid": row.default_messaging_service_sid,
        "default_inactive_timer": row.default_inactive_timer,
        "default_closed_timer": row.default_closed_timer,
        "url": f"{_base(request)}/Configuration",
        "links": {
            "service": f"{_base(request)}/Services/{row.default_chat_service_sid}/Configuration",
            "webhooks": f"{_base(request)}/Configuration/Webhooks",
        },
    }


# /v1/Services -------------------------------------------------------------------


def _list(request):
    return page(
        request, services.services(), product="conversations", key="services", serialize=service_json, max_page_size=100
    )


def _create(request):
    return created(service_json(request, services.create(params.text(request.POST, "FriendlyName") or "")))


def _fetch(request, sid):
    services.default_service_sid()  # the default service is listed and fetched like any other
    row = SimService.objects.filter(sid=sid).first()
    if row is None:
        raise resource_missing(request)
    return ok(service_json(request, row))


collection, item = resource_views(collection={"GET": _list, "POST": _create}, item={"GET": _fetch})


# /v1/Configuration --------------------------------------------------------------


@twilio_endpoint
def configuration(request):
    return by_method(request, {"GET": _configuration_fetch, "POST": _configuration_update})


def _configuration_fetch(request):
    return ok(configuration_json(request, services.configuration()))


def _timer(form, name: str, minimum: timedelta):
    """A default timer; an empty value removes it. Twilio documents the minimum (1 minute inactive,
    10 minutes closed) but no error code for this resource: 20001, the generic invalid parameter."""
    if form.get(name) == "":
        return ""
    return params.duration(form, name, minimum=minimum, format_code=20001, minimum_code=20001)


def _configuration_update(request):
    form, row = request.POST, services.configuration()
    chat_service_sid = params.sid(form, "DefaultChatServiceSid", "IS")
    if chat_service_sid:
        if not services.exists(chat_service_sid):
            raise TwilioError(
                400, 20001, f"DefaultChatServiceSid {chat_service_sid} is not a Conversation Service of this account"
            )
        row.default_chat_service_sid = chat_service_sid
    row.default_messaging_service_sid = (
        params.sid(form, "DefaultMessagingServiceSid", "MG") or row.default_messaging_service_sid
    )
    for name, field, minimum in (
        ("DefaultInactiveTimer", "default_inactive_timer", timedelta(minutes=1)),
        ("DefaultClosedTimer", "default_closed_timer", timedelta(minutes=10)),
    ):
        value = _timer(form, name, minimum)
        if value is not None:
            setattr(row, field, value or None)
    row.save()
    return ok(configuration_json(request, row))
