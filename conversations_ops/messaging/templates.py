"""Templates: whether one may be sent, whether one is in use, sync and create/submit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from conversations_ops.models import (
    ALERTING_STATUSES,
    AWAITING_APPROVAL_STATUSES,
    OPEN_STATES,
    Message,
    Pairing,
    Template,
    TemplateStatusChange,
)

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
    if status in AWAITING_APPROVAL_STATUSES:
        return False, f"Template {name} is still waiting for WhatsApp approval: pick an approved template"
    if status == "rejected":
        reason = f" ({template.approval_rejection_reason})" if template.approval_rejection_reason else ""
        return False, f"Template {name} was rejected by WhatsApp{reason}: pick another approved template"
    return False, f"Template {name} is {status} by WhatsApp: pick another approved template"


def _recent_messages(template: Template):
    since = timezone.now() - timedelta(days=IN_USE_DAYS)
    # date_created is Twilio's clock; a send still in the outbox only has created_at.
    recent = Q(date_created__gte=since) | Q(date_created__isnull=True, created_at__gte=since)
    return Message.objects.filter(recent, content_sid=template.sid)


def _naming_pairings(template: Template):
    return Pairing.objects.filter(Q(invite_template=template) | Q(connected_template=template))


def template_in_use(*, template: Template) -> bool:
    """Whether staff rely on the template: sent in a message in the last IN_USE_DAYS days,
    or named by a pairing started in that time (its invite or connected template).
    """
    if not template.sid:
        return False
    if _recent_messages(template).exists():
        return True
    since = timezone.now() - timedelta(days=IN_USE_DAYS)
    return _naming_pairings(template).filter(created_at__gte=since).exists()


def _roles(pairing: Pairing, template: Template) -> str:
    roles = [
        role
        for role, template_id in (("invite", pairing.invite_template_id), ("connected", pairing.connected_template_id))
        if template_id == template.pk
    ]
    return " and ".join(roles)


@dataclass
class TemplateUses:
    """Where a template is used, so staff can switch each place to its replacement.

    The console keeps no default template anywhere: each pairing and each send names
    its template when it starts. So the places are the pairings still open that
    will send it, and the entry points staff used with it lately.
    """

    # [(pairing, "invite" | "connected" | "invite and connected"), ...]
    open_pairings: list = field(default_factory=list)
    recent_pairings: int = 0  # pairings started in the last IN_USE_DAYS days naming it
    recent_messages: int = 0  # messages sent with it in the last IN_USE_DAYS days

    @property
    def any(self) -> bool:
        return bool(self.open_pairings or self.recent_pairings or self.recent_messages)


def template_uses(*, template: Template, limit: int = 20) -> TemplateUses:
    """The open pairings that name the template (at most `limit`) and its recent use, in counts."""
    if not template.sid:
        return TemplateUses()
    since = timezone.now() - timedelta(days=IN_USE_DAYS)
    naming = _naming_pairings(template)
    open_pairings = [
        (pairing, _roles(pairing, template)) for pairing in naming.filter(state__in=OPEN_STATES).order_by("-pk")[:limit]
    ]
    return TemplateUses(
        open_pairings=open_pairings,
        recent_pairings=naming.filter(created_at__gte=since).count(),
        recent_messages=_recent_messages(template).count(),
    )


# Status history and alerts ---------------------------------------------------


def _latest_change(template: Template):
    return template.status_changes.filter(next_change__isnull=True).order_by("-pk").first()


def template_status_change_record(*, template: Template, seen_at=None):
    """Records the template's approval status and category if either differs from the last recorded.

    Compares against the history, not against what a pull overwrote, so a change
    is recorded whichever path stored it (this sync, the general pull, a refresh).
    A template in use that becomes rejected, paused or disabled, or that WhatsApp
    moves to another category (Meta re-categorises templates, e.g. UTILITY ->
    MARKETING: priced and limited as marketing from then on), is an alert.
    Answers the new TemplateStatusChange, or None when nothing changed.
    """
    last = _latest_change(template)
    old, old_category = (last.new_status, last.new_category) if last else ("", "")
    new, new_category = template.approval_status or "", template.approval_category or ""
    if last is not None and (old, old_category) == (new, new_category):
        return None
    if last is None and not new:
        return None  # never submitted and never seen otherwise: nothing to tell
    if last is not None and not new_category:
        new_category = old_category  # a listing without the category tells nothing about it
        if old == new:
            return None
    change = TemplateStatusChange(
        template=template,
        previous=last,
        old_status=old,
        new_status=new,
        old_category=old_category,
        new_category=new_category,
        rejection_reason=template.approval_rejection_reason,
        seen_at=seen_at or timezone.now(),
    )
    stopped = change.status_changed and new.lower() in ALERTING_STATUSES
    change.in_use = template_in_use(template=template)
    change.alert = change.in_use and (stopped or change.recategorised)
    try:
        with transaction.atomic():
            change.save()
            return change
    except IntegrityError:
        return None  # another sync recorded the same change a moment ago


def template_status_changes_record(*, seen_at=None) -> list:
    """Records every template whose status or category differs from its history (one query to find them)."""
    latest = TemplateStatusChange.objects.filter(template=OuterRef("pk"), next_change__isnull=True).order_by("-pk")
    candidates = (
        Template.objects.annotate(
            recorded=Subquery(latest.values("new_status")[:1]),
            recorded_category=Subquery(latest.values("new_category")[:1]),
        )
        .exclude(sid="")
        .filter(
            ~Q(recorded=F("approval_status"))
            | (~Q(approval_category="") & ~Q(recorded_category=F("approval_category")))
            | (Q(recorded__isnull=True) & ~Q(approval_status=""))
        )
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
