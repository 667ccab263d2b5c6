"""What the person's messages and Twilio's receipts say about consent: the one place.

The appliers call `consent_messages_note` once a person's messages are in the mirror (one
message at a time, or the bulk applier's run), and `consent_receipt_note` once a delivery
receipt is stored:

- a single word (trimmed, any case, as Twilio matches it: docs/fidelity.md, "SMS opt-out")
  among CONSENT_OPT_OUT_KEYWORDS opts the person out on the sender they wrote to; among
  CONSENT_OPT_IN_KEYWORDS opts them back in (from an opt-out only: "Yes" to an invite is a
  reply, recorded as one and not confirmed); among CONSENT_HELP_KEYWORDS changes nothing.
  "stop sending me the catalogue" is a sentence, not a keyword.
- On WhatsApp the console answers (the confirmation, or CONSENT_HELP_TEXT), free-form: the
  person just wrote, so their window is open. On SMS Twilio answers STOP, START and HELP
  itself (https://help.twilio.com/hc/en-us/articles/223134027), so the console sends nothing
  that would reach them twice.
- Any other message from a person with nothing recorded opts them in: they replied to a
  pairing's invite, or they wrote first. A person who opted out stays out until they send an
  opt-in keyword (or staff record one with a reason): writing again is not consent.
- A receipt that failed with 21610 (Twilio blocks the number after STOP:
  https://www.twilio.com/docs/errors/21610) or 63014 (the person blocked the WhatsApp sender
  or withdrew consent: https://www.twilio.com/docs/api/errors/63014) opts them out, with the
  refused message as evidence, unless they are opted out already.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from conversations_ops import validators as v
from conversations_ops.models import (
    Consent,
    ConsentHow,
    ConsentState,
    Conversation,
    DeliveryReceipt,
    Direction,
    Message,
    Pairing,
    Participant,
    SyncState,
)
from conversations_ops.outbox.refusals import CONSENT_REPLY_ATTRIBUTE
from conversations_ops.services.messages import message_send

from .selectors import consent_state
from .services import consent_opt_in, consent_opt_out, consent_opt_out_close_pairings

OPT_OUT, OPT_IN, HELP = "opt_out", "opt_in", "help"
# Twilio's codes on a refused message that mean the person does not want this sender's messages.
OPT_OUT_ERROR_CODES = {21610: ConsentHow.TWILIO_21610, 63014: ConsentHow.WHATSAPP_CODE}
FAILED = ("failed", "undelivered")
# The console's own answers carry this attribute, so the transcript (and the enforcement, which lets
# them through to a person who just opted out: outbox/refusals.py) can tell them.
REPLY_ATTRIBUTE = CONSENT_REPLY_ATTRIBUTE


def _words(setting: str) -> frozenset[str]:
    return frozenset(word.strip().upper() for word in getattr(settings, setting) if word.strip())


def keyword_kind(body: str | None) -> tuple[str, str] | None:
    """(opt_out|opt_in|help, the word as matched) when the whole message is one keyword, else None."""
    word = (body or "").strip().upper()
    if not word or len(word.split()) != 1:
        return None
    for kind, setting in (
        (OPT_OUT, "CONSENT_OPT_OUT_KEYWORDS"),
        (OPT_IN, "CONSENT_OPT_IN_KEYWORDS"),
        (HELP, "CONSENT_HELP_KEYWORDS"),
    ):
        if word in _words(setting):
            return kind, word
    return None


def consent_messages_note(*, message_sids) -> str:
    """New messages reached the mirror: what the people's among them say about consent (an outcome line)."""
    sids = [sid for sid in set(message_sids) if sid]
    if not sids:
        return ""
    messages = (
        Message.objects.filter(sid__in=sids, direction=Direction.INBOUND)
        .exclude(author="")
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .select_related("conversation")
        .order_by("date_created", "pk")
    )
    return "".join(_note_safely(message) for message in _may_matter(list(messages)))


def _may_matter(messages: list[Message]) -> list[Message]:
    """A busy inbox's run holds mostly people who are known already and no keyword: those are left
    out with two queries for the whole run (their participants' senders, then the registry)."""
    if not messages:
        return []
    senders = {
        (conversation_id, address): sender
        for conversation_id, address, sender in Participant.objects.filter(
            conversation_id__in={m.conversation_id for m in messages},
            messaging_binding_address__in={m.author for m in messages},
        )
        .exclude(messaging_binding_proxy_address="")
        .values_list("conversation_id", "messaging_binding_address", "messaging_binding_proxy_address")
    }
    known = set(
        Consent.objects.filter(address__in={address for _, address in senders})
        .exclude(state=ConsentState.UNKNOWN)
        .values_list("address", "sender")
    )
    matter = []
    for m in messages:
        sender = senders.get((m.conversation_id, m.author))
        if sender is not None and (keyword_kind(m.body) or (m.author, sender) not in known):
            matter.append(m)
    return matter


def _note_safely(message: Message) -> str:
    try:
        return _note(message)
    except ValidationError as exc:  # an address Twilio took but the registry cannot (never seen): say so
        return f"; consent: not recorded ({' '.join(exc.messages)})"


def _person(conversation_id, address: str) -> Participant | None:
    return (
        Participant.objects.filter(conversation_id=conversation_id, messaging_binding_address=address)
        .exclude(messaging_binding_proxy_address="")
        .first()
    )


def _note(message: Message) -> str:
    person = _person(message.conversation_id, message.author)
    if person is None:
        return ""
    address, sender = person.messaging_binding_address, person.messaging_binding_proxy_address
    found = keyword_kind(message.body)
    evidence = {"address": address, "sender": sender, "message_sid": message.sid, "occurred_at": message.date_created}
    if found and found[0] == OPT_OUT:
        recorded = consent_opt_out(how=ConsentHow.KEYWORD_OPT_OUT, keyword=found[1], close_pairings=False, **evidence)
        line = _answer(message, person, settings.CONSENT_OPT_OUT_CONFIRMATION, recorded, f"opted out ({found[1]})")
        if recorded:  # after the confirmation is queued: it reaches Twilio before the conversation closes
            closed = consent_opt_out_close_pairings(address=address, sender=sender)
            line += f", pairing{'s' if len(closed) > 1 else ''} closed" if closed else ""
        return line
    if found and found[0] == OPT_IN:
        if consent_state(address=address, sender=sender) != ConsentState.OPTED_OUT:
            # Nothing to undo: "Yes" to a pairing's invite is a reply, not a request to be confirmed.
            return _wrote(message, evidence)
        recorded = consent_opt_in(how=ConsentHow.KEYWORD_OPT_IN, keyword=found[1], **evidence)
        return _answer(message, person, settings.CONSENT_OPT_IN_CONFIRMATION, recorded, f"opted in ({found[1]})")
    if found and found[0] == HELP:
        line = _answer(message, person, settings.CONSENT_HELP_TEXT, True, f"{found[1]} answered")
        return line + _wrote(message, evidence)
    return _wrote(message, evidence)


def _wrote(message: Message, evidence: dict) -> str:
    """A person with nothing recorded who writes agrees to hear back: by replying to an invite, or first."""
    if consent_state(address=evidence["address"], sender=evidence["sender"]) != ConsentState.UNKNOWN:
        return ""
    invited = Pairing.objects.filter(conversation_id=message.conversation_id, customer_address=message.author).exists()
    how = ConsentHow.INVITE_REPLY if invited else ConsentHow.WROTE_FIRST
    recorded = consent_opt_in(how=how, **evidence)
    return f"; consent: opted in ({'invite reply' if invited else 'wrote first'})" if recorded else ""


def _answer(message: Message, person: Participant, text: str, recorded, line: str) -> str:
    """On WhatsApp the console confirms (once per keyword message); on SMS Twilio does."""
    if not recorded:
        return ""  # this message was handled already (the event applied twice)
    if not person.messaging_binding_address.startswith(v.WHATSAPP_PREFIX) or not text:
        return f"; consent: {line}"
    conversation = message.conversation
    if conversation.state == "closed" or conversation.sync_state == SyncState.DELETED_REMOTELY:
        return f"; consent: {line}, no confirmation (the conversation is closed)"
    if Message.objects.filter(conversation=conversation, attributes__contains=f'"{message.sid}"').exists():
        return f"; consent: {line}"
    message_send(
        conversation=conversation,
        body=text,
        author=_author_for(conversation, person),
        attributes=f'{{"{REPLY_ATTRIBUTE}": "{message.sid}"}}',
    )
    return f"; consent: {line}, confirmation queued"


def _author_for(conversation: Conversation, person: Participant) -> str:
    """The answer reaches only the person: written as the other side's phone when there is one (a
    pairing's courier, as the pairing's auto-reply is), else as the system (the advisor, a chat
    participant, sees it too)."""
    other = (
        Participant.objects.filter(conversation=conversation)
        .exclude(pk=person.pk)
        .exclude(messaging_binding_address="")
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .values_list("messaging_binding_address", flat=True)
        .first()
    )
    return other or "system"


def consent_receipt_note(*, receipt_sid: str) -> str:
    """A stored receipt: a message refused because the person opted out records their opt-out."""
    receipt = (
        DeliveryReceipt.objects.filter(sid=receipt_sid, status__in=FAILED, error_code__in=OPT_OUT_ERROR_CODES)
        .select_related("message")
        .first()
    )
    if receipt is None or not receipt.participant_sid:
        return ""
    person = Participant.objects.filter(
        Q(sid=receipt.participant_sid), ~Q(messaging_binding_address=""), ~Q(messaging_binding_proxy_address="")
    ).first()
    if person is None:
        return ""
    address, sender = person.messaging_binding_address, person.messaging_binding_proxy_address
    if consent_state(address=address, sender=sender) == ConsentState.OPTED_OUT:
        return ""
    recorded = consent_opt_out(
        address=address,
        sender=sender,
        how=OPT_OUT_ERROR_CODES[receipt.error_code],
        message_sid=receipt.message.sid,
        error_code=receipt.error_code,
        occurred_at=receipt.date_updated or receipt.date_created,
    )
    return f"; consent: opted out (error {receipt.error_code})" if recorded else ""
