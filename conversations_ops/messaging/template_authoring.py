"""Staff write a text template and submit it for WhatsApp approval.

Both calls go straight to the Content API (staff wait for the SID or the
refusal on the same page); the mirror row is written from Twilio's answer.
Refusals are ValidationErrors keyed by form field, Twilio's included.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops.audit.entries import audit_record
from conversations_ops.messaging.templates import template_status_change_record
from conversations_ops.mirror import mapping as mirror
from conversations_ops.models import Template
from conversations_ops.twilio import gateway
from conversations_ops.twilio.errors import explain_line

CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")
APPROVAL_NAME = re.compile(r"[a-z0-9_]{1,512}")
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
BODY_MAX = 1024  # WhatsApp's limit for a template body


def template_placeholders(body: str) -> list[int]:
    """The placeholder numbers in order of first appearance; raises for anything not {{n}}."""
    numbers = []
    for token in PLACEHOLDER.findall(body):
        if not token.isdigit() or token != str(int(token)):
            raise ValidationError(
                {"body": f"Placeholder {{{{{token}}}}} is not a number: use {{{{1}}}}, {{{{2}}}}, ..."}
            )
        if int(token) not in numbers:
            numbers.append(int(token))
    return numbers


def _validate_body(body: str) -> list[int]:
    if not body.strip():
        raise ValidationError({"body": "Write the message text."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"WhatsApp allows at most {BODY_MAX} characters; this has {len(body)}."})
    numbers = template_placeholders(body)
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        raise ValidationError(
            {
                "body": f"Placeholders must be numbered {{{{1}}}} to {{{{n}}}} without gaps; "
                f"found {', '.join(str(n) for n in sorted(numbers))}."
            }
        )
    return numbers


def _validate_samples(numbers: list[int], samples: list[str]) -> dict[str, str]:
    if len(samples) != len(numbers):
        raise ValidationError(
            {"samples": f"Give one sample value per placeholder: the text has {len(numbers)}, you gave {len(samples)}."}
        )
    if any(not sample.strip() for sample in samples):
        raise ValidationError({"samples": "Sample values may not be empty: WhatsApp reviews them."})
    return {str(n): sample.strip() for n, sample in enumerate(samples, start=1)}


def template_approval_validate(*, approval_name: str, category: str) -> str:
    """Checks the WhatsApp approval request; answers the category in upper case."""
    errors = {}
    if not APPROVAL_NAME.fullmatch(approval_name or ""):
        errors["approval_name"] = "Use lower-case letters, digits and underscores only, e.g. courier_invite."
    if (category or "").upper() not in CATEGORIES:
        errors["category"] = f"Choose one of {', '.join(CATEGORIES)}."
    if errors:
        raise ValidationError(errors)
    return category.upper()


def _refused(exc: gateway.GatewayError) -> ValidationError:
    code = f" (Twilio error {exc.code})" if exc.code else ""
    return ValidationError(f"{explain_line(exc)}{code}")


def template_create(*, friendly_name: str, language: str, body: str, samples: list[str], user=None) -> Template:
    """Creates a twilio/text template on Twilio, then its mirror row."""
    errors = {}
    if not language.strip():
        errors["language"] = "Give the language code, e.g. en or pt_BR."
    if not friendly_name.strip():
        errors["friendly_name"] = "Give a name staff recognise, e.g. courier_invite."
    if errors:
        raise ValidationError(errors)
    variables = _validate_samples(_validate_body(body), samples)
    try:
        remote = gateway.content_create(
            friendly_name=friendly_name.strip(),
            language=language.strip(),
            variables=variables or None,
            types={"twilio/text": {"body": body}},
        )
    except gateway.GatewayError as exc:
        audit_record(
            action="template.create",
            user=user,
            detail={"friendly_name": friendly_name, "language": language},
            error=exc,
        )
        raise _refused(exc) from exc
    row = Template.objects.filter(sid=remote.sid).first() or Template()
    mirror.apply_template(row, remote)
    row.save()
    audit_record(
        action="template.create",
        user=user,
        target=row,
        twilio_sid=row.sid,
        detail={"friendly_name": row.friendly_name, "language": row.language, "placeholders": len(variables)},
    )
    return row


def template_submit(*, template: Template, approval_name: str, category: str, user=None) -> Template:
    """Submits the template for WhatsApp approval and stores the approval Twilio reports."""
    category = template_approval_validate(approval_name=approval_name, category=category)
    if not template.sid:
        raise ValidationError("This template is not on Twilio yet: create it there first.")
    asked = {"approval_name": approval_name, "category": category}
    try:
        approval = gateway.content_approval_create(sid=template.sid, name=approval_name, category=category)
    except gateway.GatewayError as exc:
        audit_record(action="template.submit", user=user, target=template, detail=asked, error=exc)
        raise _refused(exc) from exc
    audit_record(
        action="template.submit",
        user=user,
        target=template,
        twilio_sid=template.sid,
        detail={**asked, "approval_status": approval.status or ""},
    )
    with transaction.atomic():
        Template.objects.filter(pk=template.pk).update(
            approval_name=approval.name or approval_name,
            approval_category=approval.category or category,
            approval_status=approval.status or "",
            approval_rejection_reason=approval.rejection_reason or "",
            approval_allow_category_change=approval.allow_category_change,
        )
        template.refresh_from_db()
        template_status_change_record(template=template)
    return template
