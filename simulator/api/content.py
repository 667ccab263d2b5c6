"""Content v1 /v1/Content: message templates (JSON bodies, unlike Conversations' forms)."""

from django.conf import settings

from simulator import clock
from simulator.api import lookups, params
from simulator.api.common import (
    created,
    json_body,
    no_content,
    ok,
    page,
    product_base,
    resource_views,
)
from simulator.models import SimContent
from simulator.sids import iso, new_sid

CONTENT_TYPES = (
    "twilio/text",
    "twilio/media",
    "twilio/location",
    "twilio/list-picker",
    "twilio/call-to-action",
    "twilio/quick-reply",
    "twilio/card",
    "twilio/catalog",
    "twilio/carousel",
    "twilio/flows",
    "twilio/schedule",
    "whatsapp/card",
    "whatsapp/authentication",
    "whatsapp/flows",
)
# What each type cannot do without (Content API spec, vendor/twilio-oai/twilio_content_v1.json;
# docs/twilio-reference.md).
REQUIRED_KEYS = {
    "twilio/text": ("body",),
    "twilio/media": ("media",),
    "twilio/call-to-action": ("body", "actions"),
    "twilio/quick-reply": ("body", "actions"),
}


def content_url(request, sid: str) -> str:
    return f"{product_base(request, 'content')}/v1/Content/{sid}"


def serialize(request, row) -> dict:
    url = content_url(request, row.sid)
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "friendly_name": row.friendly_name,
        "language": row.language,
        "variables": row.variables,
        "types": row.types,
        "url": url,
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "links": {"approval_create": f"{url}/ApprovalRequests/whatsapp", "approval_fetch": f"{url}/ApprovalRequests"},
    }


def get(request, sid) -> SimContent:
    return lookups.child(request, SimContent.objects, sid, "HX")


def _list(request):
    return page(
        request,
        SimContent.objects.order_by("id"),
        product="content",
        key="contents",
        serialize=serialize,
        max_page_size=1000,
    )


def _create(request):
    fields = _fields(json_body(request))
    now = clock.now()
    row = SimContent.objects.create(sid=new_sid("HX"), date_created=now, date_updated=now, **fields)
    return created(serialize(request, row))


def _fetch(request, sid):
    return ok(serialize(request, get(request, sid)))


def _update(request, sid):
    row = get(request, sid)
    body = json_body(request)
    # PUT requires only `types`; what else is left out keeps its value.
    for name, value in _fields({"language": row.language, **body}).items():
        if name in body or name == "types":
            setattr(row, name, value)
    row.date_updated = clock.now()
    row.save()
    return ok(serialize(request, row))


def _delete(request, sid):
    get(request, sid).delete()
    return no_content()


def _fields(body: dict) -> dict:
    """`language` and `types` are required; friendly_name and variables optional."""
    language = body.get("language")
    if not isinstance(language, str) or not language:
        raise params.invalid("Missing required parameter language")
    friendly_name = body.get("friendly_name")
    if friendly_name is not None and not isinstance(friendly_name, str):
        raise params.invalid("friendly_name must be a string")
    variables = body.get("variables") or {}
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise params.invalid('variables must be an object of strings, e.g. {"1": "Ana"}')
    return {
        "language": language,
        "friendly_name": friendly_name,
        "variables": variables,
        "types": _types(body.get("types")),
    }


def _types(value) -> dict:
    if not isinstance(value, dict):
        raise params.invalid("Missing required parameter types")
    # twilio-python leaves out empty types, but a hand-written body may carry nulls.
    types = {name: _without_nulls(spec) for name, spec in value.items() if spec is not None}
    if not types:
        raise params.invalid("types must contain at least one content type")
    unknown = sorted(set(types) - set(CONTENT_TYPES))
    if unknown:
        raise params.invalid(f"Unknown content type(s): {', '.join(unknown)}")
    for name, spec in types.items():
        if not isinstance(spec, dict):
            raise params.invalid(f"types[{name}] must be an object")
        missing = [key for key in REQUIRED_KEYS.get(name, ()) if not spec.get(key)]
        if missing:
            raise params.invalid(f"types[{name}] requires {', '.join(missing)}")
    return types


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


collection, item = resource_views(
    collection={"GET": _list, "POST": _create},
    item={"GET": _fetch, "PUT": _update, "DELETE": _delete},
)
