"""django-q2 entry points: primary keys in, one service call, safe to run twice.

Every queued task and every periodic schedule names a function of THIS module,
so their paths (stored in the broker and in django_q's Schedule table) survive
a reorganisation of the packages behind them. Nothing here returns data: with
save_limit=-1 results are not kept, and a returned model would only be pickled
for nothing.
"""

from conversations_ops.clienteling import reassign as clienteling_reassign
from conversations_ops.health import counters, heartbeat
from conversations_ops.messaging import template_sync
from conversations_ops.outbox import runner as sync_runner
from conversations_ops.pairings import flow as pairing_flow
from conversations_ops.pull import runner as pull_runner
from conversations_ops.webhooks import attribution as message_attribution
from conversations_ops.webhooks import inbox as webhook_inbox


def sync_operation_run(pk: int) -> None:
    """Runs outbox operation `pk` (and the ones queued after it on its conversation)."""
    sync_runner.sync_operation_run(operation_id=pk)


def clienteling_book_reassign(from_id: int, to_id: int, user_id: int | None, content_sid: str, variables: dict) -> None:
    """Moves a whole book (a leaver's customers) queued by the admin page; safe to run twice: the
    customers already moved are no longer the first advisor's."""
    clienteling_reassign.customers_reassign_all_queued(
        from_id=from_id, to_id=to_id, user_id=user_id, content_sid=content_sid, variables=variables
    )


def sync_sweep() -> None:
    """Every minute: rescue operations of dead workers, enqueue what is due."""
    sync_runner.sync_sweep()


def webhook_inbox_drain() -> None:
    """Applies stored webhook events until the inbox stays empty for a moment."""
    webhook_inbox.webhook_inbox_drain()


def message_templates_attribute(pks: list[int]) -> None:
    """Messages other clients wrote, from webhooks: fetched once to learn their template (content_sid)."""
    message_attribution.message_templates_attribute(message_ids=pks)


def webhook_inbox_sweep() -> None:
    """Every minute: drain what a lost wake-up or a dead worker left in the inbox."""
    webhook_inbox.webhook_inbox_sweep()


def pairings_expire() -> None:
    """Every minute: pairings whose customer did not reply in time expire (their conversation is closed)."""
    pairing_flow.pairings_expire()


def twilio_pull_scheduled() -> None:
    """Every 10 minutes: one time-boxed pull that resumes from its checkpoints."""
    pull_runner.pull_scheduled()


def template_sync_scheduled() -> None:
    """Every 10 minutes: template approvals (they change on WhatsApp's side without a webhook)."""
    template_sync.template_sync_scheduled()


def health_heartbeat() -> None:
    """Every minute: this worker took a task off the broker (GET /health/)."""
    heartbeat.heartbeat_scheduled()


def metrics_tally() -> None:
    """Every minute: fold new webhook events into the per-endpoint tally (/metrics)."""
    counters.received_tally_advance()
