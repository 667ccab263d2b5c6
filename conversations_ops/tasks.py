"""django-q2 entry points: primary keys in, one service call, safe to run twice.

Nothing here returns data: with save_limit=-1 results are not kept, and a
returned model would only be pickled for nothing.
"""

from conversations_ops.services import pairing_flow, sync_runner, webhook_inbox


def sync_operation_run(pk: int) -> None:
    """Runs outbox operation `pk` (and the ones queued after it on its conversation)."""
    sync_runner.sync_operation_run(operation_id=pk)


def sync_sweep() -> None:
    """Every minute: rescue operations of dead workers, enqueue what is due."""
    sync_runner.sync_sweep()


def webhook_inbox_drain() -> None:
    """Applies stored webhook events until the inbox stays empty for a moment."""
    webhook_inbox.webhook_inbox_drain()


def webhook_inbox_sweep() -> None:
    """Every minute: drain what a lost wake-up or a dead worker left in the inbox."""
    webhook_inbox.webhook_inbox_sweep()


def pairings_expire() -> None:
    """Every minute: pairings whose customer did not reply in time expire (their conversation is closed)."""
    pairing_flow.pairings_expire()
