"""Templates: whether one may be sent, whether one is in use, sync and create/submit."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from conversations_ops.models import Message, Template

# How far back a sent message makes a template "in use" (alerts on a status change).
IN_USE_DAYS = 30


def template_usable(*, template: Template) -> tuple[bool, str]:
    """Whether new sends may use this template, and the reason in plain words when not.

    Only WhatsApp-approved templates are usable: Twilio accepts a send with any other
    template and it fails later (or is swallowed), so the console refuses up front.
    """
    name = template.friendly_name or template.sid or "this template"
    status = (template.approval_status or "").lower()
    if status == "approved":
        return True, ""
    if not status or status == "unsubmitted":
        return False, f"Template {name} has not been submitted for WhatsApp approval: pick an approved template"
    if status in ("received", "pending"):
        return False, f"Template {name} is still waiting for WhatsApp approval: pick an approved template"
    if status == "rejected":
        reason = f" ({template.approval_rejection_reason})" if template.approval_rejection_reason else ""
        return False, f"Template {name} was rejected by WhatsApp{reason}: pick another approved template"
    return False, f"Template {name} is {status} by WhatsApp: pick another approved template"


def template_in_use(*, template: Template) -> bool:
    """Whether staff rely on the template: sent in a message in the last IN_USE_DAYS days.

    Pairings (issue 7) extend this with templates a pairing refers to.
    """
    if not template.sid:
        return False
    since = timezone.now() - timedelta(days=IN_USE_DAYS)
    # date_created is Twilio's clock; a send still in the outbox only has created_at.
    recent = Q(date_created__gte=since) | Q(date_created__isnull=True, created_at__gte=since)
    return Message.objects.filter(recent, content_sid=template.sid).exists()
