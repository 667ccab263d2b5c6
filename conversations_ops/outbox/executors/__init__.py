"""One module per Twilio resource, one executor per outbox operation.

The registry (outbox.operations.OPERATIONS) names each operation's executor:
`execute(op, row)` makes the operation true on Twilio and returns an
Outcome; see executors/base.py for the rules they share.
"""

from .base import Outcome, WaitForParent

__all__ = ["Outcome", "WaitForParent"]
