"""Who a message reaches, and whether each of them may be messaged (issue 20: consent enforced).

The answer is consent's (`consent.selectors.consent_refusal`, the one question), but consent
sends its confirmations through services and this outbox, so neither may import it: the app's
ready() connects it here (apps.py), as the operation-settled listeners are. Asked in two
places, each once:

- `services.messages.message_send`, for every send (the Send message page, `message_send`,
  Resend, the inbox's replies and outreach, reassignment introductions, a pairing's templates):
  refused before anything is queued, with the reason and since when;
- the outbox's `message.send` executor, just before the call to Twilio: a message queued
  before the person opted out fails with the same reason instead of going out.

The console's own answers to a keyword (attribute `consent_reply`: the WhatsApp confirmation
of STOP/START, the HELP text) are let through, as Twilio answers STOP on SMS after blocking.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from conversations_ops.models import Participant, SyncState

# The attribute the console's keyword answers carry (consent/inbound.py writes it).
CONSENT_REPLY_ATTRIBUTE = "consent_reply"

# question(address, sender) -> the refusal in staff's words (masked), or None.
_questions: list[Callable[[str, str], str | None]] = []


def recipient_refusal_connect(question: Callable[[str, str], str | None]) -> None:
    """Connects the question asked of each phone a message reaches; connecting twice is a no-op."""
    if question not in _questions:
        _questions.append(question)


def address_refusal(address: str, sender: str) -> str | None:
    """Why `sender` must not message `address` (a sentence with the reason and since when), or None."""
    for question in tuple(_questions):
        if refusal := question(address, sender):
            return refusal
    return None


def is_consent_reply(attributes) -> bool:
    try:
        value = json.loads(attributes) if isinstance(attributes, str) else (attributes or {})
    except json.JSONDecodeError:
        return False
    return isinstance(value, dict) and CONSENT_REPLY_ATTRIBUTE in value


def message_refusals(*, conversation_id: int, author: str = "", attributes="{}") -> list[str]:
    """Why a message in this conversation written by `author` must not go out (empty: it may).

    Twilio delivers a message to every participant but its author; the phones among them
    (SMS and WhatsApp bindings, each with the business number they talk to) are the people
    asked about. Chat participants (advisors, agents) are staff: nothing to ask."""
    if is_consent_reply(attributes):
        return []
    phones = (
        Participant.objects.filter(conversation_id=conversation_id)
        .exclude(messaging_binding_address="")
        .exclude(messaging_binding_proxy_address="")
        .exclude(messaging_binding_address=author or "")
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .values_list("messaging_binding_address", "messaging_binding_proxy_address")
        .distinct()
    )
    return [refusal for address, sender in phones if (refusal := address_refusal(address, sender))]
