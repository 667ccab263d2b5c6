from django.core.management.base import BaseCommand, CommandError

from conversations_ops.services.sync_runner import sync_push_due


class Command(BaseCommand):
    help = "Runs due outbox operations now, in this process. Exits 1 if any of them failed."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Run at most this many conversations' queues.")

    def handle(self, *args, limit=None, **options):
        summary = sync_push_due(limit=limit)
        for op in summary.failures:
            code = op.last_error_code or op.last_error_status or "-"
            self.stderr.write(f"FAILED #{op.pk} {op.operation} ({op.content_type.model} {op.object_id}): "
                              f"[{code}] {op.last_error_message}")
        line = f"{summary.succeeded} succeeded, {summary.failed} failed, {summary.pending} pending."
        if summary.failed:
            raise CommandError(line, returncode=1)
        self.stdout.write(self.style.SUCCESS(line))
