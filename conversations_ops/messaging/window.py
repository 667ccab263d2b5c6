"""WhatsApp's 24-hour window, per participant, from the mirror.

WhatsApp delivers free-form messages only within 24 hours of the person's last
message to the business; outside it only approved templates. Twilio accepts the
send anyway and it fails later with 63016, so the console works the window out
before sending. SMS and chat participants are not limited.

The last inbound time is the newest mirrored inbound Message whose author is the
participant's binding address, on Twilio's clock (date_created).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from conversations_ops.models import Conversation, Direction, Message, Participant, SyncState

WINDOW = timedelta(hours=24)
WHATSAPP = "whatsapp"


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
    def explanation(self) -> str:
        if not self.limited:
            return "Free-form allowed (not WhatsApp: no 24-hour window)"
        if self.last_inbound_at is None:
            return "Templates only: this person has never written to the business"
        until = timezone.localtime(self.open_until).strftime("%Y-%m-%d %H:%M %Z")
        if self.free_form_allowed:
            return f"Free-form allowed until {until}"
        return f"Templates only: the 24-hour window closed at {until}"


def window_now() -> datetime:
    """The clock the window is measured on (a function, so tests can move it with the simulator's)."""
    return timezone.now()


def participant_is_whatsapp(participant: Participant) -> bool:
    return participant.messaging_binding_type == WHATSAPP or (participant.messaging_binding_address or "").startswith(
        f"{WHATSAPP}:"
    )


def _last_inbound_by_author(conversation: Conversation, addresses: list[str]) -> dict[str, datetime]:
    if not addresses:
        return {}
    rows = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND, author__in=addresses)
        .values("author")
        # date_created is Twilio's; a row without it (not possible for inbound today) falls back to ours.
        .annotate(last=Max(Coalesce("date_created", "created_at")))
    )
    return {row["author"]: row["last"] for row in rows}


def conversation_windows(*, conversation: Conversation, now: datetime | None = None) -> list[ParticipantWindow]:
    """One entry per live participant, in the order they joined."""
    now = now or window_now()
    participants = list(conversation.participants.exclude(sync_state=SyncState.DELETED_REMOTELY).order_by("pk"))
    whatsapp = [p for p in participants if participant_is_whatsapp(p)]
    last = _last_inbound_by_author(conversation, [p.messaging_binding_address for p in whatsapp])
    windows = []
    for participant in participants:
        if participant not in whatsapp:
            windows.append(ParticipantWindow(participant, False, None, None, True))
            continue
        last_at = last.get(participant.messaging_binding_address)
        open_until = last_at + WINDOW if last_at else None
        allowed = open_until is not None and now < open_until
        windows.append(ParticipantWindow(participant, True, last_at, open_until, allowed))
    return windows


def free_form_blocked_by(*, conversation: Conversation, now: datetime | None = None) -> list[ParticipantWindow]:
    """The WhatsApp participants a free-form message would not reach (63016)."""
    return [w for w in conversation_windows(conversation=conversation, now=now) if not w.free_form_allowed]
