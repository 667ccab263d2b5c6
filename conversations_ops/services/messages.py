"""Sending a message: free text, media, or an approved template."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops.models import Conversation, Direction, Message
from conversations_ops.services.conversations import conversation_refuse_if_closed
from conversations_ops.services.mirror_changes import save_and_queue

SYSTEM_AUTHOR = "system"


def _variables_text(content_variables) -> str:
    # json.dumps quotes apostrophes and quotes correctly; hand-built JSON is how
    # template variables break. Text from a form is stored as given and validated.
    if content_variables is None or content_variables == "":
        return ""
    if isinstance(content_variables, str):
        return content_variables
    return json.dumps(content_variables, ensure_ascii=False)


@transaction.atomic
def message_send(
    *, conversation: Conversation, body: str = "", media_sid: str = "", content_sid: str = "",
    content_variables: dict | str | None = None, author: str = SYSTEM_AUTHOR, attributes: str = "{}",
    subject: str = "", user=None,
) -> Message:
    conversation_refuse_if_closed(conversation=conversation)
    if content_sid and (body or media_sid):
        # Twilio would silently drop them; staff must not believe they were sent.
        raise ValidationError({"body": "A template sends its own text; leave the body and media empty."})
    message = Message(
        conversation=conversation, direction=Direction.OUTBOUND, author=author or SYSTEM_AUTHOR, body=body,
        media_sid=media_sid, content_sid=content_sid, content_variables=_variables_text(content_variables),
        attributes=attributes, subject=subject,
    )
    save_and_queue(row=message, operation="message.send", user=user)
    return message
