"""Post-event webhooks: what the simulator tells the console (and scoped URLs).

INTERFACE (filled in by the webhooks-out work): each function builds Twilio's
form parameters for the event (reference/twilio-api.md §4.1) and hands them to
every matching target (account post-event webhook with its filters,
conversation-scoped webhooks with theirs, auto-creation webhooks), signed and
delivered asynchronously after the current transaction commits.
"""


def conversation_event(event_type: str, conversation, *, source: str = "API", extra: dict | None = None) -> None:
    """onConversationAdded / onConversationUpdated / onConversationRemoved."""


def participant_event(event_type: str, participant, *, source: str = "API") -> None:
    """onParticipantAdded / onParticipantUpdated / onParticipantRemoved."""


def message_event(event_type: str, message, *, source: str = "API") -> None:
    """onMessageAdded / onMessageUpdated / onMessageRemoved."""


def delivery_event(receipt) -> None:
    """onDeliveryUpdated for one receipt status change."""


def state_event(conversation, *, state_from: str, state_to: str, reason: str, when) -> None:
    """onConversationStateUpdated (Reason API, TIMER or EVENT)."""
