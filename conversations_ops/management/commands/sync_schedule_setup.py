from django.core.management.base import BaseCommand

from conversations_ops.schedules import SCHEDULES, schedules_ensure


class Command(BaseCommand):
    help = "Creates (or repairs) the periodic django-q2 schedules, e.g. the outbox sweep every minute. Idempotent."

    def handle(self, *args, **options):
        changed = schedules_ensure()
        for line in changed:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{len(SCHEDULES)} schedule(s) in place ({len(changed)} changed)."))
