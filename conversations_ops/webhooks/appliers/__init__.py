"""Event type -> applier `(event, params) -> outcome line`. Each applier is
idempotent and order-tolerant: applying an event twice, or after a newer
one, leaves the mirror as it was."""

from .messaging import MESSAGING_APPLIERS

APPLIERS: dict = {**MESSAGING_APPLIERS}
