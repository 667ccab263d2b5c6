"""What a staff action on chosen mirror rows did, for the admin's message.

Shared by the outbox's "Push now" and "Retry failed" (outbox/actions.py) and
the pull's "Pull from Twilio" (pull/actions.py).
"""

from dataclasses import dataclass, field


@dataclass
class ActionReport:
    succeeded: int = 0
    pending: int = 0
    skipped: int = 0
    gone: int = 0
    failures: list[str] = field(default_factory=list)
