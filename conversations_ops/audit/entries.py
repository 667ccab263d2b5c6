"""The audit trail's one writer: who asked Twilio for what, on which record, and what Twilio answered.

- Pushes: recorded by the outbox (audit/outbox.py) when staff queue them,
  completed when they settle.
- Direct calls (templates, account webhooks, pulls, reprocess, pairings)
  record themselves with `audit_record`, success or Twilio's refusal.

Who and where come from the caller's `user=`, else from the context: the
admin's middleware (`admin_source`) or a management command (`shell_source`).
Without a user, only a shell command is recorded (by its login name): code
running in the worker never writes here. Every text is masked on the way in.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

# admin_source and shell_source are re-exported: callers mark their source through this module.
from conversations_ops.audit.context import admin_source, current, shell_source, username  # noqa: F401
from conversations_ops.masking import HIDDEN, mask_numbers_in
from conversations_ops.models import AuditEntry, AuditResult, AuditSource
from conversations_ops.twilio.gateway import GatewayError

# Actions recorded besides the outbox's own operation names (outbox.OPERATIONS).
DIRECT_ACTIONS = (
    "account_webhooks.configure",
    "clienteling.reassign",
    "consent.opt_in",
    "consent.opt_out",
    "pairing.abandon",
    "pairing.close",
    "pairing.courier_replace",
    "pairing.retry",
    "pairing.start",
    "pull.object",
    "pull.run",
    "second_factor.enrol",
    "second_factor.reset",
    "sync.push_due",
    "sync.push_now",
    "sync.retry",
    "template.copy",
    "template.create",
    "template.submit",
    "webhook_events.reprocess",
)
# Detail keys never kept, whatever a caller passes (any key containing one): message content and secrets.
FORBIDDEN_KEY_PARTS = ("body", "variables", "auto_reply", "media", "token", "password", "secret")
_BARE_DIGITS = re.compile(r"(?<![\w+%])\d{7,15}(?!\w)")


def mask_numbers(text: str) -> str:
    """Every phone number in a text masked (masking.mask_numbers_in), and bare runs of 7+ digits too:
    staff type names like "Courier 015112345678" and this table is shown to every group."""
    return _BARE_DIGITS.sub(lambda m: HIDDEN + m.group(0)[-4:], mask_numbers_in(text or ""))


def _scrub(value):
    if isinstance(value, dict):
        return {
            str(k): _scrub(v)
            for k, v in value.items()
            if not any(part in str(k).lower() for part in FORBIDDEN_KEY_PARTS)
        }
    if isinstance(value, list | tuple | set):
        return [_scrub(v) for v in value]
    return mask_numbers(value) if isinstance(value, str) else value


def target_label(target) -> str:
    """E.g. "participant whatsapp:+15•••••2661 in Order 7", "Pairing #3": the kind, the name, its conversation."""
    name, kind = str(target), str(target._meta.verbose_name)
    label = name if name.lower().startswith(kind.lower()) else f"{kind} {name}"
    conversation = getattr(target, "conversation", None) if hasattr(target, "conversation_id") else None
    if conversation is not None and str(conversation) not in label:
        label += f" in {conversation}"
    return mask_numbers(label)[:200]


def audit_record(
    *,
    action: str,
    user=None,
    target=None,
    detail: dict | None = None,
    operation=None,
    result_state: str = AuditResult.SUCCEEDED,
    twilio_sid: str = "",
    error=None,
    source: str | None = None,
) -> AuditEntry | None:
    """Writes one entry; answers None (and writes nothing) when no staff member or shell is behind it.

    `error` is Twilio's refusal (a GatewayError) or a reason in words; it makes the result failed.
    """
    context = current()
    actor = _staff(user) or _staff(context.user if context else None)
    if actor is None and (context is None or context.source != AuditSource.SHELL):
        return None  # code running on its own (the worker, a workflow): not a staff action
    detail = dict(detail or {})
    if context is not None and context.command:
        detail.setdefault("command", context.command)
    failed = error is not None
    entry = AuditEntry(
        actor=actor,
        actor_name=username(actor) or (context.name if context else ""),
        action=action,
        source=source or (context.source if context else AuditSource.WORKER),
        detail=_scrub(detail),
        operation=operation,
        result_state=AuditResult.FAILED if failed else result_state,
        twilio_sid=twilio_sid,
        completed_at=timezone.now() if failed or result_state != AuditResult.QUEUED else None,
    )
    _set_target(entry, target if target is not None or operation is None else operation.target, operation)
    _set_error(entry, error)
    entry.save()
    return entry


def _staff(user):
    return user if getattr(user, "is_authenticated", False) else None


def _set_target(entry: AuditEntry, target, operation) -> None:
    if target is not None:
        entry.content_type = ContentType.objects.get_for_model(target)
        entry.object_id, entry.target_repr = target.pk, target_label(target)
        entry.target_sid = getattr(target, "sid", "") or ""
    elif operation is not None:  # the row is gone (deleted since): keep what the outbox knows
        entry.content_type_id, entry.object_id = operation.content_type_id, operation.object_id
        entry.target_repr = f"{operation.content_type.model} #{operation.object_id}"


def _set_error(entry: AuditEntry, error) -> None:
    if isinstance(error, GatewayError):
        entry.twilio_error_code, entry.twilio_http_status = error.code, error.status
        entry.twilio_error = mask_numbers(error.message or str(error))
    elif error is not None:
        entry.twilio_error = mask_numbers(str(error))


# Direct calls ---------------------------------------------------------------------


def summary_detail(summary) -> dict:
    """A pull's counts per resource (PullSummary), for the detail column."""
    resources = getattr(summary, "resources", None) or {}
    return {"resources": {name: dataclasses.asdict(counts) for name, counts in resources.items()}}


def audited(action: str, *, asked=None, answered=None):
    """Records each call of the decorated Twilio-calling function: its answer, or Twilio's refusal.

    `asked(kwargs)` and `answered(result)` give the detail; both must not keep personal data.
    A `user=` keyword of the call is the actor (else the context's).
    """

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            detail = asked(kwargs) if asked else {}
            try:
                result = function(*args, **kwargs)
            except GatewayError as exc:
                audit_record(action=action, user=kwargs.get("user"), detail=detail, error=exc)
                raise
            audit_record(
                action=action, user=kwargs.get("user"), detail={**detail, **(answered(result) if answered else {})}
            )
            return result

        return run

    return decorate
