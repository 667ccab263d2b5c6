"""The consent state beside each exported message (issue 20, item 5): for every person a message
concerns, their state on their sender now (at export time) and when the message was written.

"The people a message concerns" are the conversation's messaging participants (an address and the
business sender Twilio relays through): in a pairing both the customer and the courier, since the
business's sender reaches both. Chat identities have no consent to hold.

"When the message was written" is the latest change that happened at or before the message's
`date_created` (ties by when it was recorded, as the registry settles its state): so the STOP
message's own row already reads opted_out, and a message Twilio later refused with 21610 reads what
the console knew when it was sent.

Bounded: three queries per batch (participants, registry entries, their changes) whatever its size;
the export calls this once per chunk it streams.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from conversations_ops.models import Consent, ConsentChange, ConsentState, Participant


@dataclass(frozen=True)
class PersonConsent:
    role: str  # the participant's role ("participant" without one)
    address: str  # whole: the caller masks it for the viewer
    sender: str
    now: str  # opted_in, opted_out or unknown
    then: str  # the same, at the message's time


def consent_at_messages(messages) -> dict[int, tuple[PersonConsent, ...]]:
    """{message pk: the consent of each person its conversation reaches over WhatsApp or SMS}."""
    messages = list(messages)
    conversation_ids = {m.conversation_id for m in messages}
    people: dict[int, list[tuple[str, str, str]]] = {}
    rows = (
        Participant.objects.filter(conversation_id__in=conversation_ids)
        .exclude(messaging_binding_address="")
        .exclude(messaging_binding_proxy_address="")
        .order_by("pk")
        .values_list("conversation_id", "role", "messaging_binding_address", "messaging_binding_proxy_address")
    )
    for conversation_id, role, address, sender in rows:
        if (role, address, sender) not in people.get(conversation_id, ()):
            people.setdefault(conversation_id, []).append((role or "participant", address, sender))
    pairs = {(address, sender) for found in people.values() for _, address, sender in found}
    entries = {}
    if pairs:
        # One query for the batch's pairs: both lists bound it, the exact pairs are picked here.
        candidates = Consent.objects.filter(
            address__in={a for a, _ in pairs}, sender__in={s for _, s in pairs}
        ).values_list("pk", "address", "sender", "state")
        entries = {(a, s): (pk, state) for pk, a, s, state in candidates if (a, s) in pairs}
    history: dict[int, tuple[list, list[str]]] = {}  # consent pk -> (when each change happened, its state)
    changes = (
        ConsentChange.objects.filter(consent_id__in=[pk for pk, _ in entries.values()])
        .order_by("consent_id", "occurred_at", "id")
        .values_list("consent_id", "occurred_at", "state")
    )
    for consent_id, occurred_at, state in changes:
        moments, states = history.setdefault(consent_id, ([], []))
        moments.append(occurred_at)
        states.append(state)

    def at(consent_id, moment) -> str:
        moments, states = history.get(consent_id, ([], []))
        if moment is None:
            return ConsentState.UNKNOWN
        position = bisect_right(moments, moment)  # changes at the very moment count: the STOP message's own
        return states[position - 1] if position else ConsentState.UNKNOWN

    answer = {}
    for message in messages:
        found = []
        for role, address, sender in people.get(message.conversation_id, ()):
            pk, state = entries.get((address, sender), (None, ConsentState.UNKNOWN))
            then = at(pk, message.date_created) if pk is not None else ConsentState.UNKNOWN
            found.append(PersonConsent(role=role, address=address, sender=sender, now=state, then=then))
        answer[message.pk] = tuple(found)
    return answer
