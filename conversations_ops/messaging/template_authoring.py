"""Staff write a text template, submit it for WhatsApp approval, or copy it as a new one.

The calls go straight to the Content API (staff wait for the SID or the refusal
on the same page); the mirror row is written from Twilio's answer. Refusals are
ValidationErrors keyed by form field, Twilio's included.

Twilio takes one WhatsApp approval request per Content SID, whatever became of
it (error 92009: "recreate a new template to make any changes"). So a rejected
template, or one whose wording must change, is corrected in a copy: a new
Content SID, linked to the template it replaces.
"""

from __future__ import annotations

import copy
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
# Twilio's code for a second approval request on one Content SID.
ALREADY_SUBMITTED = 92009


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


def template_text_validate(*, body: str, samples: list[str]) -> dict[str, str]:
    """Checks a template's text and its sample values; answers the variables Twilio gets."""
    return _validate_samples(_validate_body(body), samples)


def template_submitted(template: Template) -> bool:
    """Whether an approval request was ever made for the template: then Twilio takes no other (92009)."""
    return (template.approval_status or "unsubmitted") != "unsubmitted"


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
    hint = " Use “Copy as a new template” on this template's page." if exc.code == ALREADY_SUBMITTED else ""
    return ValidationError(f"{explain_line(exc)}{code}{hint}")


def _names_validate(*, friendly_name: str, language: str) -> None:
    errors = {}
    if not language.strip():
        errors["language"] = "Give the language code, e.g. en or pt_BR."
    if not friendly_name.strip():
        errors["friendly_name"] = "Give a name staff recognise, e.g. courier_invite."
    if errors:
        raise ValidationError(errors)


def _create_on_twilio(*, action, friendly_name, language, types, variables, user, detail, copied_from=None):
    """Creates the Content on Twilio, then its mirror row; records the outcome as `action`."""
    try:
        remote = gateway.content_create(
            friendly_name=friendly_name.strip(),
            language=language.strip(),
            variables=variables or None,
            types=types,
        )
    except gateway.GatewayError as exc:
        audit_record(action=action, user=user, target=copied_from, detail=detail, error=exc)
        raise _refused(exc) from exc
    row = Template.objects.filter(sid=remote.sid).first() or Template()
    mirror.apply_template(row, remote)
    row.copied_from = copied_from
    row.save()
    audit_record(
        action=action,
        user=user,
        target=row,
        twilio_sid=row.sid,
        detail={**detail, "friendly_name": row.friendly_name, "language": row.language, "placeholders": len(variables)},
    )
    return row


def template_create(*, friendly_name: str, language: str, body: str, samples: list[str], user=None) -> Template:
    """Creates a twilio/text template on Twilio, then its mirror row."""
    _names_validate(friendly_name=friendly_name, language=language)
    variables = template_text_validate(body=body, samples=samples)
    return _create_on_twilio(
        action="template.create",
        friendly_name=friendly_name,
        language=language,
        types={"twilio/text": {"body": body}},
        variables=variables,
        user=user,
        detail={"friendly_name": friendly_name, "language": language},
    )


def template_copy(
    *, template: Template, friendly_name: str, language: str, body: str, samples: list[str], user=None
) -> Template:
    """Creates a new template on Twilio from `template`, with the text staff corrected, linked to it.

    The copy keeps every content type of the original; the text staff edit replaces the
    original's text wherever it appears (twilio/text and the rich types that repeat it).
    It is not submitted: the caller submits it like any new template.
    """
    if not template.sid:
        raise ValidationError("This template is not on Twilio yet: submit it instead of copying it.")
    _names_validate(friendly_name=friendly_name, language=language)
    variables = template_text_validate(body=body, samples=samples)
    return _create_on_twilio(
        action="template.copy",
        friendly_name=friendly_name,
        language=language,
        types=_copied_types(template, body),
        variables=variables,
        user=user,
        detail={"copied_from": template.sid, "friendly_name": friendly_name, "language": language},
        copied_from=template,
    )


def _copied_types(template: Template, body: str) -> dict:
    types = copy.deepcopy(template.types) if isinstance(template.types, dict) else {}
    old_body, replaced = template.body_text, False
    for spec in types.values():
        if isinstance(spec, dict) and old_body and spec.get("body") == old_body:
            spec["body"], replaced = body, True
    if not replaced:
        types.setdefault("twilio/text", {})["body"] = body
    return types


def template_submit(*, template: Template, approval_name: str, category: str, user=None) -> Template:
    """Submits the template for WhatsApp approval and stores the approval Twilio reports."""
    category = template_approval_validate(approval_name=approval_name, category=category)
    if not template.sid:
        raise ValidationError("This template is not on Twilio yet: create it there first.")
    if template_submitted(template):
        # Refused here rather than by Twilio's 92009; a mirror behind Twilio still meets the 92009.
        raise ValidationError(
            f"This template was already submitted for WhatsApp approval (status {template.approval_status}), "
            f"and Twilio takes one approval request per template (error {ALREADY_SUBMITTED}). "
            "Use “Copy as a new template” to correct it and submit the copy."
        )
    asked = {"approval_name": approval_name, "category": category}
    try:
        approval = gateway.content_approval_create(sid=template.sid, name=approval_name, category=category)
    except gateway.GatewayError as exc:
        audit_record(action="template.submit", user=user, target=template, detail=asked, error=exc)
        if exc.code == ALREADY_SUBMITTED:
            _approval_refresh(template)  # the mirror was behind Twilio: show the approval Twilio has
        raise _refused(exc) from exc
    audit_record(
        action="template.submit",
        user=user,
        target=template,
        twilio_sid=template.sid,
        detail={**asked, "approval_status": approval.status or ""},
    )
    _approval_store(template, approval, asked_name=approval_name, asked_category=category)
    return template


def _approval_store(template: Template, approval, *, asked_name: str = "", asked_category: str = "") -> None:
    with transaction.atomic():
        Template.objects.filter(pk=template.pk).update(
            approval_name=approval.name or asked_name,
            approval_category=approval.category or asked_category,
            approval_status=approval.status or "",
            approval_rejection_reason=approval.rejection_reason or "",
            approval_allow_category_change=approval.allow_category_change,
        )
        template.refresh_from_db()
        template_status_change_record(template=template)


def _approval_refresh(template: Template) -> None:
    """One try, not retried: best effort beside the refusal staff read; the next sync brings it anyway."""
    try:
        approval = gateway.content_approval_fetch(sid=template.sid)
    except gateway.GatewayError:
        return
    if approval is not None:
        _approval_store(template, approval)
