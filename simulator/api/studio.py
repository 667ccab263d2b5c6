"""Studio v2 Flows: the account's Studio flows (list and fetch), read by the address form.

Served at /simulator/studio/v2/Flows in the shape of vendor/twilio-oai/twilio_studio_v2.json
(ListFlow, FetchFlow; `studio.v2.flow`): `meta` paging with the key `flows`, PageSize up to
1000 (default 50). As in the spec's examples, a list item carries no `definition`, `valid`,
`errors` or `warnings` (null) and a fetched flow does. Flows are made by Twilio's Studio
editor, never by the console: here by the control API (`_control/studio/flows`) and the seed.
"""

from django.conf import settings

from simulator.api.common import by_method, not_found, ok, page, product_base, twilio_endpoint
from simulator.models import SimStudioFlow
from simulator.sids import iso


def _definition(row: SimStudioFlow) -> dict:
    """The smallest definition Studio saves: a Trigger widget with nothing after it."""
    return {
        "description": row.friendly_name,
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [
                    {"event": "incomingMessage"},
                    {"event": "incomingCall"},
                    {"event": "incomingConversationMessage"},
                    {"event": "incomingRequest"},
                    {"event": "incomingParent"},
                ],
                "properties": {"offset": {"x": 0, "y": 0}},
            }
        ],
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }


def flow_json(request, row: SimStudioFlow, *, full: bool = False) -> dict:
    url = f"{product_base(request, 'studio')}/v2/Flows/{row.sid}"
    return {
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "author_sid": None,
        "friendly_name": row.friendly_name,
        "definition": _definition(row) if full else None,
        "status": row.status,
        "revision": row.revision,
        "commit_message": None,
        "valid": True if full else None,
        "errors": [] if full else None,
        "warnings": [] if full else None,
        "webhook_url": f"https://webhooks.twilio.com/v1/Accounts/{settings.TWILIO_ACCOUNT_SID}/Flows/{row.sid}",
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "url": url,
        "links": {
            "test_users": f"{url}/TestUsers",
            "revisions": f"{url}/Revisions",
            "executions": f"{url}/Executions",
        },
    }


def _list(request):
    rows = SimStudioFlow.objects.order_by("id")
    return page(request, rows, product="studio", key="flows", serialize=flow_json, max_page_size=1000)


def _fetch(request, sid):
    row = SimStudioFlow.objects.filter(sid=sid).first()
    if row is None:
        raise not_found(f"The requested resource {request.path.split('/v2', 1)[-1]}")
    return ok(flow_json(request, row, full=True))


@twilio_endpoint
def collection(request):
    return by_method(request, {"GET": _list})


@twilio_endpoint
def item(request, sid):
    return by_method(request, {"GET": _fetch}, sid)
