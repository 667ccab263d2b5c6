"""Sending a message: free text, media, or an approved template.

`message_send_check` is the guard every staff entry point applies (the Send
message page, the shell command, Resend): it refuses what Twilio would accept
and then fail or swallow (free-form outside a WhatsApp window -> 63016, a template
that is not approved, variables that do not fit the template).

Consent is not the guard's alone: `message_send` refuses every send, guarded or not, that
would reach a person who opted out of the sender (outbox/refusals.py asks consent), so a
workflow, a bulk path or a forgotten `guard=True` cannot message them either.
"""

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops import validators as v
from conversations_ops.messaging.template_variables import template_variables_errors
from conversations_ops.messaging.templates import template_usable
from conversations_ops.messaging.window import free_form_blocked_by
from conversations_ops.mirror.activity import customer_activity_refresh
from conversations_ops.models import Conversation, Direction, Message, Template
from conversations_ops.outbox.changes import save_and_queue
from conversations_ops.outbox.refusals import message_refusals
from conversations_ops.services.conversations import conversation_refuse_if_closed

SYSTEM_AUTHOR = "system"


def _variables_text(content_variables) -> str:
    # json.dumps quotes apostrophes and quotes correctly; hand-built JSON is how
    # template variables break. Text from a form is stored as given and validated.
    if content_variables is None or content_variables == "":
        return ""
    if isinstance(content_variables, str):
        return content_variables
    return json.dumps(content_variables, ensure_ascii=False)


def _variables_dict(content_variables) -> dict:
    if isinstance(content_variables, str):
        try:
            value = json.loads(content_variables) if content_variables else {}
        except json.JSONDecodeError:
            return {"variables": content_variables}  # reported as not in the template
        return value if isinstance(value, dict) else {}
    return dict(content_variables or {})


def approved_templates():
    """Templates staff may send now (for the refusal's offer and the page's choice)."""
    return [t for t in Template.objects.exclude(sid="").order_by("friendly_name") if template_usable(template=t)[0]]


def _free_form_reasons(conversation: Conversation) -> list[str]:
    blocked = free_form_blocked_by(conversation=conversation)
    if not blocked:
        return []
    offer = ", ".join(f"{t} ({t.sid})" for t in approved_templates()) or "none is approved yet"
    lines = [f"{w.label}: {w.explanation}" for w in blocked]
    return [
        "Free-form is refused: WhatsApp delivers it only within 24 hours of the person's last message "
        f"(else it fails with 63016). {'; '.join(lines)}. Send an approved template instead: {offer}."
    ]


def _template_reasons(template: Template | None, content_sid: str, variables) -> list[str]:
    if template is None:
        return [f"Template {content_sid} is not in the console's template list: pull templates, then pick it."]
    usable, reason = template_usable(template=template)
    if not usable:
        return [reason]
    errors = template_variables_errors(template=template, variables=_variables_dict(variables))
    return [message for messages in errors.values() for message in messages]


def message_send_check(
    *,
    conversation: Conversation,
    body: str = "",
    template: Template | None = None,
    content_sid: str = "",
    variables: dict | str | None = None,
    media_sid: str = "",
    author: str = "",
    attributes: str = "{}",
    ask_consent: bool = True,
) -> list[str]:
    """Why this send must not go out, in plain words; empty when it may.

    `ask_consent=False` only for a caller that asks consent itself per person (reassignment
    checks a template once for a whole book, then skips the introduction of who opted out)."""
    content_sid = template.sid if template is not None else content_sid
    if conversation.state == "closed":
        return ["This conversation is closed: Twilio refuses new messages in it."]
    if ask_consent and (
        refusals := message_refusals(conversation_id=conversation.pk, author=author, attributes=attributes)
    ):
        return refusals
    if content_sid:
        if body or media_sid:
            return ["A template sends its own text; leave the body and media empty."]
        if template is None:
            template = Template.objects.filter(sid=content_sid).first()
        return _template_reasons(template, content_sid, variables)
    if not (body or media_sid):
        return ["Write a message or pick a template."]
    if problem := message_body_problem(conversation=conversation, body=body):
        return [problem]
    return _free_form_reasons(conversation)


def message_body_problem(*, conversation: Conversation, body: str) -> str | None:
    """The body limit of this conversation's channels: 1,600 characters once a phone (SMS or
    WhatsApp) takes part, else the chat limit (validators.message_body_problem)."""
    return v.message_body_problem(body, reaches_phones=conversation.reaches_phones())


@transaction.atomic
def message_send(
    *,
    conversation: Conversation,
    body: str = "",
    media_sid: str = "",
    content_sid: str = "",
    content_variables: dict | str | None = None,
    author: str = SYSTEM_AUTHOR,
    attributes: str = "{}",
    subject: str = "",
    user=None,
    guard: bool = False,
) -> Message:
    """Writes the message and queues its send.

    guard=True applies `message_send_check` first (staff entry points do);
    without it the caller takes responsibility (workflows that checked already,
    tests that force Twilio's own refusal).
    """
    conversation_refuse_if_closed(conversation=conversation)
    if content_sid and (body or media_sid):
        # Twilio would silently drop them; staff must not believe they were sent.
        raise ValidationError({"body": "A template sends its own text; leave the body and media empty."})
    if guard:
        reasons = message_send_check(
            conversation=conversation,
            body=body,
            content_sid=content_sid,
            variables=content_variables,
            media_sid=media_sid,
            author=author,
            attributes=attributes,
        )
    else:  # consent is never the caller's to skip: only the console's own keyword answers pass
        reasons = message_refusals(conversation_id=conversation.pk, author=author, attributes=attributes)
    if reasons:
        raise ValidationError(reasons)
    message = Message(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        author=author or SYSTEM_AUTHOR,
        body=body,
        media_sid=media_sid,
        content_sid=content_sid,
        content_variables=_variables_text(content_variables),
        attributes=attributes,
        subject=subject,
    )
    save_and_queue(row=message, operation="message.send", user=user)
    # A clienteling customer's advisor answered (or a template went out): the inbox says so at once.
    customer_activity_refresh(conversation_ids=[conversation.pk])
    return message


def message_resend(*, message: Message, user=None) -> Message:
    """Sends the same content again as a new message (the failed one stays as history), guarded."""
    return message_send(
        conversation=Conversation.objects.get(pk=message.conversation_id),
        body=message.body,
        media_sid=message.media_sid,
        content_sid=message.content_sid,
        content_variables=message.content_variables,
        author=message.author,
        subject=message.subject,
        user=user,
        guard=True,
    )
