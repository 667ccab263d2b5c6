"""WhatsApp approval of Content templates: submit, fetch, and the ContentAndApprovals list.

Submitting sets the status to "received"; the control API (a person playing
WhatsApp's reviewers) moves it on to approved, rejected, paused or disabled, and
changes its category as Meta re-categorises templates.

A Content SID is submitted once: a second approval request fails with 92009
whatever the first one's outcome, rejected included
(https://www.twilio.com/docs/errors/92009: "This template sid has already been
submitted for approval. Please recreate a new template to make any changes.";
the page names no status for which a second request is allowed).
"""

import re

from django.conf import settings

from simulator.api import params
from simulator.api.common import by_method, created, json_body, ok, page, twilio_endpoint
from simulator.api.content import content_url, get
from simulator.api.errors import TwilioError
from simulator.models import SimContent
from simulator.sids import iso

CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")
# What the spec's ContentAndApprovals example shows for a template never submitted.
UNSUBMITTED = {
    "name": "",
    "category": "",
    "content_type": "",
    "status": "unsubmitted",
    "rejection_reason": "",
    "allow_category_change": True,
}
# Twilio's message for 92009 (its error page's title).
ALREADY_SUBMITTED = "The template associated with this SID has already been submitted for approval"


def submitted(row) -> bool:
    """Whether an approval request was ever made for this Content SID (any status but unsubmitted)."""
    return bool(row.approval) and row.approval.get("status", "unsubmitted") != "unsubmitted"


def approval_of(row) -> dict:
    return {**UNSUBMITTED, **row.approval} if row.approval else dict(UNSUBMITTED)


def serialize_with_approval(request, row) -> dict:
    """A ContentAndApprovals item: the content fields and the approval flat in `approval_requests`."""
    return {
        "date_created": iso(row.date_created),
        "date_updated": iso(row.date_updated),
        "sid": row.sid,
        "account_sid": settings.TWILIO_ACCOUNT_SID,
        "friendly_name": row.friendly_name,
        "language": row.language,
        "variables": row.variables,
        "types": row.types,
        "approval_requests": approval_of(row),
    }


@twilio_endpoint
def content_and_approvals(request):
    return by_method(request, {"GET": _list})


@twilio_endpoint
def fetch(request, sid):
    return by_method(request, {"GET": _fetch}, sid)


@twilio_endpoint
def create_whatsapp(request, sid):
    return by_method(request, {"POST": _create}, sid)


def _list(request):
    return page(
        request,
        SimContent.objects.order_by("id"),
        product="content",
        key="contents",
        serialize=serialize_with_approval,
        max_page_size=1000,
    )


def _fetch(request, sid):
    row = get(request, sid)
    return ok(
        {
            "sid": row.sid,
            "account_sid": settings.TWILIO_ACCOUNT_SID,
            "whatsapp": {"type": "whatsapp", **approval_of(row)},
            "url": f"{content_url(request, row.sid)}/ApprovalRequests",
        }
    )


def _create(request, sid):
    row = get(request, sid)
    body = json_body(request)
    name, category = body.get("name"), body.get("category")
    if not isinstance(name, str) or not name or not isinstance(category, str) or not category:
        raise params.invalid("Missing required parameters: name and category")
    if not re.fullmatch(r"[a-z0-9_]{1,512}", name):
        raise params.invalid(f"Invalid name '{name}': WhatsApp template names use lower-case letters, digits and _")
    if category.upper() not in CATEGORIES:
        raise params.invalid(f"Invalid category '{category}': expected one of {', '.join(CATEGORIES)}")
    if submitted(row):
        raise TwilioError(400, 92009, f"{ALREADY_SUBMITTED}: {row.sid}")
    row.approval = {
        "name": name,
        "category": category.upper(),
        "content_type": _primary_type(row.types),
        "status": "received",
        "rejection_reason": "",
        "allow_category_change": body.get("allow_category_change", True) is not False,
    }
    row.save(update_fields=["approval"])
    return created(dict(row.approval))


def _primary_type(types: dict) -> str:
    """The type WhatsApp reviews: the richest one, `twilio/text` only when it is alone."""
    return next((name for name in types if name != "twilio/text"), "twilio/text")
