"""Templates: whether one may be sent, whether one is in use, sync and create/submit."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from conversations_ops.models import ALERTING_STATUSES, Message, Pairing, Template, TemplateStatusChange

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
    """Whether staff rely on the template: sent in a message in the last IN_USE_DAYS days,
    or named by a pairing started in that time (its invite or connected template).
    """
    if not template.sid:
        return False
    since = timezone.now() - timedelta(days=IN_USE_DAYS)
    # date_created is Twilio's clock; a send still in the outbox only has created_at.
    recent = Q(date_created__gte=since) | Q(date_created__isnull=True, created_at__gte=since)
    if Message.objects.filter(recent, content_sid=template.sid).exists():
        return True
    return Pairing.objects.filter(
        Q(invite_template=template) | Q(connected_template=template), created_at__gte=since
    ).exists()


# Status history and alerts ---------------------------------------------------


def _latest_change(template: Template):
    return template.status_changes.filter(next_change__isnull=True).order_by("-pk").first()


def template_status_change_record(*, template: Template, seen_at=None):
    """Records the template's approval status if it differs from the last one recorded.

    Compares against the history, not against what a pull overwrote, so a change
    is recorded whichever path stored it (this sync, the general pull, a refresh).
    Answers the new TemplateStatusChange, or None when nothing changed.
    """
    last = _latest_change(template)
    old = last.new_status if last else ""
    new = template.approval_status or ""
    if last is not None and old == new:
        return None
    if last is None and not new:
        return None  # never submitted and never seen otherwise: nothing to tell
    in_use = template_in_use(template=template)
    try:
        with transaction.atomic():
            return TemplateStatusChange.objects.create(
                template=template,
                previous=last,
                old_status=old,
                new_status=new,
                rejection_reason=template.approval_rejection_reason,
                seen_at=seen_at or timezone.now(),
                in_use=in_use,
                alert=in_use and new.lower() in ALERTING_STATUSES,
            )
    except IntegrityError:
        return None  # another sync recorded the same change a moment ago


def template_status_changes_record(*, seen_at=None) -> list:
    """Records every template whose status differs from its history (one query to find them)."""
    latest = TemplateStatusChange.objects.filter(template=OuterRef("pk"), next_change__isnull=True)
    recorded = Subquery(latest.order_by("-pk").values("new_status")[:1])
    never_recorded = Q(recorded__isnull=True) & ~Q(approval_status="")
    candidates = (
        Template.objects.annotate(recorded=recorded)
        .exclude(sid="")
        .filter(~Q(recorded=F("approval_status")) | never_recorded)
    )
    changes = []
    for template in candidates.iterator():
        change = template_status_change_record(template=template, seen_at=seen_at)
        if change is not None:
            changes.append(change)
    return changes


def template_alerts_open():
    """Alerts no one has acknowledged yet, newest first."""
    return TemplateStatusChange.objects.filter(alert=True, acknowledged_at__isnull=True).select_related("template")


def template_alerts_acknowledge(*, changes, user) -> int:
    """Marks the given alerts acknowledged by `user`; answers how many were still open."""
    return changes.filter(alert=True, acknowledged_at__isnull=True).update(
        acknowledged_by=user, acknowledged_at=timezone.now()
    )
