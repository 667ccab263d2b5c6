from django.core.management.base import CommandError

from conversations_ops import permissions as rules
from conversations_ops.management.command_user import ShellCommand, add_user_argument, attributed, command_user
from conversations_ops.outbox.runner import sync_push_due


class Command(ShellCommand):
    help = (
        "Runs due outbox operations now, in this process. Exits 1 if any of them failed; 2 when --as USERNAME "
        "(default $CONSOLE_USER) may not push to Twilio."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Run at most this many conversations' queues.")
        add_user_argument(parser)

    def handle(self, *args, limit=None, as_user=None, **options):
        user = command_user(as_user, needs=rules.RUN_OUTBOX, action="push to Twilio")
        summary = attributed(sync_push_due, user, limit=limit)
        for op in summary.failures:
            code = op.last_error_code or op.last_error_status or "-"
            self.stderr.write(
                f"FAILED #{op.pk} {op.operation} ({op.content_type.model} {op.object_id}): "
                f"[{code}] {op.last_error_message}"
            )
        line = f"{summary.succeeded} succeeded, {summary.failed} failed, {summary.pending} pending."
        if summary.failed:
            raise CommandError(line, returncode=1)
        self.stdout.write(self.style.SUCCESS(line))
