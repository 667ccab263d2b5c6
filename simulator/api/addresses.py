"""/v1/Configuration/Addresses: which business addresses auto-create conversations, and how."""

import re

from django.db.models import Q

from simulator import clock
from simulator.api import params, serializers
from simulator.api.common import (
    created,
    form_bool,
    form_int,
    no_content,
    ok,
    page,
    resource_missing,
    resource_views,
)
from simulator.api.errors import TwilioError
from simulator.engine import owned, services
from simulator.engine.store import E164
from simulator.models import SimAddressConfiguration
from simulator.sids import new_sid

TYPES = ("sms", "whatsapp", "messenger", "gbm", "email", "rcs", "apple", "chat")
AUTO_CREATION_TYPES = ("webhook", "studio", "default")
# The events an auto-created conversation's webhook may subscribe to (spec description).
WEBHOOK_FILTERS = (
    "onMessageAdded",
    "onMessageUpdated",
    "onMessageRemoved",
    "onConversationUpdated",
    "onConversationStateUpdated",
    "onConversationRemoved",
    "onParticipantAdded",
    "onParticipantUpdated",
    "onParticipantRemoved",
    "onDeliveryUpdated",
)
# What Twilio answers for an address that never had auto-creation configured.
NO_AUTO_CREATION = {
    "enabled": False,
    "type": None,
    "conversation_service_sid": None,
    "webhook_url": None,
    "webhook_method": None,
    "webhook_filters": [],
    "studio_flow_sid": None,
    "studio_retry_count": None,
}


def _list(request):
    rows = SimAddressConfiguration.objects.order_by("id")
    kind = params.choice(request.GET, "Type", TYPES)
    if kind:
        rows = rows.filter(type=kind)
    return page(
        request,
        rows,
        product="conversations",
        key="address_configurations",
        serialize=serializers.address_configuration,
        max_page_size=50,
    )


def _create(request):
    form = request.POST
    kind = params.required(form, "Type")
    params.choice(form, "Type", TYPES)
    address = params.required(form, "Address")
    _check_address(kind, address)
    auto_creation = _auto_creation(form, {})
    owned.check_configurable(kind, address)  # a well-formed request, for an address the account must own
    existing = SimAddressConfiguration.objects.filter(address=address).first()
    if existing:
        raise TwilioError(409, 20001, f"An Address Configuration for '{address}' already exists ({existing.sid})")
    now = clock.now()
    row = SimAddressConfiguration.objects.create(
        sid=new_sid("IG"),
        type=kind,
        address=address,
        friendly_name=params.text(form, "FriendlyName", max_length=256),
        auto_creation=auto_creation,
        address_country=params.text(form, "AddressCountry", max_length=8),
        date_created=now,
        date_updated=now,
    )
    return created(serializers.address_configuration(request, row))


def _fetch(request, sid):
    return ok(serializers.address_configuration(request, _get(request, sid)))


def _update(request, sid):
    row = _get(request, sid)
    form = request.POST
    if "FriendlyName" in form:
        row.friendly_name = params.text(form, "FriendlyName", max_length=256)
    row.auto_creation = _auto_creation(form, row.auto_creation)
    row.date_updated = clock.now()
    row.save()
    return ok(serializers.address_configuration(request, row))


def _delete(request, sid):
    _get(request, sid).delete()
    return no_content()


def _get(request, sid_or_address):
    """Twilio accepts the IG sid or the address itself in the URL."""
    row = SimAddressConfiguration.objects.filter(Q(sid=sid_or_address) | Q(address=sid_or_address)).first()
    if row is None:
        raise resource_missing(request)
    return row


def _check_address(kind: str, address: str) -> None:
    """SMS addresses are E.164 numbers, WhatsApp ones `whatsapp:` + E.164; other channels are free-form."""
    number = {"sms": address, "whatsapp": address.removeprefix("whatsapp:")}.get(kind)
    wrong_prefix = kind == "whatsapp" and not address.startswith("whatsapp:")
    if number is not None and (wrong_prefix or not E164.match(number)):
        expected = "whatsapp:+<E.164 number>" if kind == "whatsapp" else "an E.164 number"
        raise params.invalid(f"Invalid Address '{address}' for Type {kind}: expected {expected}")
    if len(address) > 256 or re.search(r"\s", address):
        raise params.invalid(f"Invalid Address '{address}'")


def _auto_creation(form, current: dict) -> dict:
    """The stored `auto_creation` object with the AutoCreation.* fields sent merged in."""
    sent = {
        "enabled": form_bool(form, "AutoCreation.Enabled"),
        "type": params.choice(form, "AutoCreation.Type", AUTO_CREATION_TYPES),
        "conversation_service_sid": params.sid(form, "AutoCreation.ConversationServiceSid", "IS"),
        "webhook_url": params.url(form, "AutoCreation.WebhookUrl"),
        "webhook_method": params.webhook_method(form, "AutoCreation.WebhookMethod"),
        "webhook_filters": params.string_list(form, "AutoCreation.WebhookFilters", WEBHOOK_FILTERS),
        "studio_flow_sid": params.sid(form, "AutoCreation.StudioFlowSid", "FW"),
        "studio_retry_count": form_int(form, "AutoCreation.StudioRetryCount"),
    }
    merged = {**NO_AUTO_CREATION, **(current or {}), **{k: v for k, v in sent.items() if v is not None}}
    if merged["studio_retry_count"] is not None and merged["studio_retry_count"] < 0:
        raise params.invalid("AutoCreation.StudioRetryCount must not be negative")
    if merged["enabled"]:
        merged["type"] = merged["type"] or "default"
        # Auto-created conversations go to the account's default Conversation Service unless told otherwise.
        merged["conversation_service_sid"] = merged["conversation_service_sid"] or services.default_service_sid()
        if merged["type"] == "webhook" and not merged["webhook_url"]:
            raise params.invalid("AutoCreation.WebhookUrl is required when AutoCreation.Type is webhook")
        if merged["type"] == "webhook":
            merged["webhook_method"] = merged["webhook_method"] or "POST"
        if merged["type"] == "studio" and not merged["studio_flow_sid"]:
            raise params.invalid("AutoCreation.StudioFlowSid is required when AutoCreation.Type is studio")
    return merged


collection, item = resource_views(
    collection={"GET": _list, "POST": _create},
    item={"GET": _fetch, "POST": _update, "DELETE": _delete},
)
