"""django-q2 entry points: primary keys in, one service call, safe to run twice.

Nothing here returns data: with save_limit=-1 results are not kept, and a
returned model would only be pickled for nothing.
"""

from conversations_ops.services import sync_runner


def sync_operation_run(pk: int) -> None:
    """Runs outbox operation `pk` (and the ones queued after it on its conversation)."""
    sync_runner.sync_operation_run(operation_id=pk)


def sync_sweep() -> None:
    """Every minute: rescue operations of dead workers, enqueue what is due."""
    sync_runner.sync_sweep()
