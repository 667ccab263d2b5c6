"""Event type -> applier `(event, params) -> outcome line`. Each applier is
idempotent and order-tolerant: applying an event twice, or after a newer
one, leaves the mirror as it was (see snapshots.py for the rules)."""

from .conversations import CONVERSATION_APPLIERS
from .messages import MESSAGE_APPLIERS
from .messaging import MESSAGING_APPLIERS
from .participants import PARTICIPANT_APPLIERS
from .receipts import RECEIPT_APPLIERS
from .status import STATUS_APPLIERS

APPLIERS: dict = {
    **CONVERSATION_APPLIERS,
    **PARTICIPANT_APPLIERS,
    **MESSAGE_APPLIERS,
    **RECEIPT_APPLIERS,
    **STATUS_APPLIERS,
    **MESSAGING_APPLIERS,
}
