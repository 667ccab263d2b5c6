"""WhatsApp's 24-hour window, per person and business sender, from the mirror.

WhatsApp delivers free-form messages only within 24 hours of the person's last
message to the business; outside it only approved templates. Twilio accepts the
send anyway and it fails later with 63016, so the console works the window out
before sending. SMS and chat participants are not limited.

The window belongs to the person and the business sender, not to a conversation
(Meta's "customer service window" starts when the user messages the business
phone number; Twilio's 63016 counts "24 hours from the user's last inbound
message"): a customer who wrote yesterday in one conversation may get free-form
text today in another with the same business number. What opens it, the one rule
every caller uses (the Send page, the send guard, the pairings' expected 63016):

- a mirrored inbound Message written by the person (author = their binding
  address) in any conversation where they talk to that business sender (a
  participant with that address and proxy address), on Twilio's clock
  (date_created);
- a message of theirs to that sender that reached the number's Messaging webhook
  (MessagingInbound, recorded by the webhook inbox), on the console's clock.

Both are read with indexes: Message (author, date_created) and MessagingInbound
(from, to, received_at); one query per source for a whole conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from conversations_ops.models import Conversation, Direction, Message, MessagingInbound, Participant, SyncState

WINDOW = timedelta(hours=24)
WHATSAPP = "whatsapp"

Pair = tuple[str, str]  # (the person's address, the business sender's address)


@dataclass(frozen=True)
class ParticipantWindow:
    participant: Participant
    limited: bool  # only WhatsApp participants have a window
    last_inbound_at: datetime | None
    open_until: datetime | None
    free_form_allowed: bool

    @property
    def label(self) -> str:
        return str(self.participant)

    @property
    def business_address(self) -> str:
        return self.participant.messaging_binding_proxy_address

    @property
    def explanation(self) -> str:
        """Names the business number (the business's own: shown to everyone), never the person's."""
        if not self.limited:
            return "Free-form allowed (not WhatsApp: no 24-hour window)"
        if self.last_inbound_at is None:
            return f"Templates only: this person has never written to {self.business_address}"
        until = timezone.localtime(self.open_until).strftime("%Y-%m-%d %H:%M %Z")
        if self.free_form_allowed:
            return f"Free-form allowed until {until} (their last message to {self.business_address}, any conversation)"
        return f"Templates only: the 24-hour window with {self.business_address} closed at {until}"


def window_now() -> datetime:
    """The clock the window is measured on (a function, so tests can move it with the simulator's)."""
    return timezone.now()


def participant_is_whatsapp(participant: Participant) -> bool:
    return participant.messaging_binding_type == WHATSAPP or (participant.messaging_binding_address or "").startswith(
        f"{WHATSAPP}:"
    )


def _sent_to(person, business) -> dict:
    """Lookups on Message: in a conversation where `person` talks to `business` (one participant row)."""
    return {
        "conversation__participants__messaging_binding_address": person,
        "conversation__participants__messaging_binding_proxy_address": business,
    }


def last_inbound_by_pair(pairs) -> dict[Pair, datetime]:
    """The newest message each person wrote to each business sender, whichever conversation
    or webhook took it; a pair that never wrote is absent. Two queries, whatever the number
    of pairs."""
    pairs = {(person, business) for person, business in pairs if person and business}
    if not pairs:
        return {}
    people, senders = {p for p, _ in pairs}, {b for _, b in pairs}
    proxy = "conversation__participants__messaging_binding_proxy_address"
    in_conversations = (
        Message.objects.filter(
            direction=Direction.INBOUND,
            author__in=people,
            # The same participant row as the author (one join): this person with one of the senders.
            conversation__participants__messaging_binding_address=F("author"),
            **{f"{proxy}__in": senders},
        )
        .values("author", proxy)
        # date_created is Twilio's; a row without it (not possible for inbound today) falls back to ours.
        .annotate(last=Max(Coalesce("date_created", "created_at")))
    )
    on_messaging = (
        MessagingInbound.objects.filter(from_address__in=people, to_address__in=senders)
        .values("from_address", "to_address")
        .annotate(last=Max("received_at"))
    )
    newest: dict[Pair, datetime] = {}
    found = [((row["author"], row[proxy]), row["last"]) for row in in_conversations]
    found += [((row["from_address"], row["to_address"]), row["last"]) for row in on_messaging]
    for pair, last in found:
        if pair in pairs and last is not None and (pair not in newest or newest[pair] < last):
            newest[pair] = last
    return newest


def window_opened_q(*, person, business, before) -> Q:
    """As a condition for querysets: `person` had written to `business` within the 24 hours
    before `before` (expressions, e.g. OuterRef), so their window was open then. The same
    two sources as last_inbound_by_pair."""
    since = before - WINDOW
    in_conversations = Message.objects.filter(
        direction=Direction.INBOUND,
        author=person,
        date_created__lt=before,
        date_created__gte=since,
        **_sent_to(person, business),
    )
    on_messaging = MessagingInbound.objects.filter(
        from_address=person, to_address=business, received_at__lt=before, received_at__gte=since
    )
    return Q(Exists(in_conversations)) | Q(Exists(on_messaging))


def conversation_windows(*, conversation: Conversation, now: datetime | None = None) -> list[ParticipantWindow]:
    """One entry per live participant, in the order they joined."""
    now = now or window_now()
    participants = list(conversation.participants.exclude(sync_state=SyncState.DELETED_REMOTELY).order_by("pk"))
    whatsapp = [p for p in participants if participant_is_whatsapp(p)]
    last = last_inbound_by_pair((p.messaging_binding_address, p.messaging_binding_proxy_address) for p in whatsapp)
    windows = []
    for participant in participants:
        if participant not in whatsapp:
            windows.append(ParticipantWindow(participant, False, None, None, True))
            continue
        last_at = last.get((participant.messaging_binding_address, participant.messaging_binding_proxy_address))
        open_until = last_at + WINDOW if last_at else None
        allowed = open_until is not None and now < open_until
        windows.append(ParticipantWindow(participant, True, last_at, open_until, allowed))
    return windows


def free_form_blocked_by(*, conversation: Conversation, now: datetime | None = None) -> list[ParticipantWindow]:
    """The WhatsApp participants a free-form message would not reach (63016)."""
    return [w for w in conversation_windows(conversation=conversation, now=now) if not w.free_form_allowed]
