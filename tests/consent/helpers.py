"""A person writing to a business sender, as Twilio's webhooks deliver it, for the consent tests."""

from tests.helpers.ids import make_sid
from tests.webhooks.builders import message_event, outcome_of, participant_event

BUSINESS_WA = "whatsapp:+14155550100"
PERSON_WA = "whatsapp:+15017122661"
BUSINESS_SMS = "+14155550101"
PERSON_SMS = "+15017122662"


class Thread:
    """One conversation between a person and a sender: each `says` is an onMessageAdded event."""

    def __init__(self, client, person: str, sender: str, n: int = 1):
        self.client, self.person, self.sender = client, person, sender
        self.conversation, self.participant = make_sid("CH", n), make_sid("MB", n)
        self.count, self.base = 0, n * 1000
        outcome_of(
            client,
            participant_event("onParticipantAdded", self.conversation, self.participant, address=person, proxy=sender),
        )

    def says(self, body: str, *, seconds: float | None = None) -> tuple[str, str]:
        """(the message SID, the applier's outcome line)."""
        self.count += 1
        sid = make_sid("IM", self.base + self.count)
        pairs = message_event(
            "onMessageAdded",
            self.conversation,
            sid,
            index=self.count - 1,
            body=body,
            author=self.person,
            created=self.count * 60 if seconds is None else seconds,
        )
        return sid, outcome_of(self.client, pairs)
