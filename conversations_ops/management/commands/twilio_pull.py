"""`manage.py twilio_pull`: make the mirror match Twilio, page by page, resumably."""

from django.core.management.base import CommandError
from tqdm import tqdm

from conversations_ops.management.command_user import ShellCommand
from conversations_ops.pull.runner import PULL_NAMES, twilio_pull
from conversations_ops.twilio.gateway import GatewayError


class _Bars:
    """One tqdm bar per resource; Twilio gives no totals, so bars count items as they stream."""

    def __init__(self, stream):
        self.stream, self.bar = stream, None

    def __call__(self, resource: str, items: int) -> None:
        if self.bar is None or self.bar.desc != resource:
            self.close()
            self.bar = tqdm(desc=resource, unit=" items", file=self.stream, dynamic_ncols=True, mininterval=0.5)
        self.bar.update(items)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _explain(exc: GatewayError) -> str:
    if exc.status is None:
        return f"Twilio could not be reached ({exc.kind}): {exc.message}"
    code = f" {exc.code}" if exc.code else ""
    more = f" See {exc.more_info}" if exc.more_info else ""
    hint = " Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN." if exc.code == 20003 or exc.status == 401 else ""
    return f"Twilio refused the pull (HTTP {exc.status}, error{code}): {exc.message}.{hint}{more}"


class Command(ShellCommand):
    help = "List Twilio's resources page by page and upsert the mirror; resumes an interrupted pull."

    def add_arguments(self, parser):
        parser.add_argument(
            "--resources",
            default=",".join(PULL_NAMES),
            help=f"Comma-separated, any of: {','.join(PULL_NAMES)} (default: all).",
        )
        parser.add_argument(
            "--no-resume",
            action="store_true",
            help="Start every listing from its first page instead of where an interrupted pull stopped.",
        )

    def handle(self, *args, resources, no_resume, **options):
        names = [name.strip() for name in resources.split(",") if name.strip()]
        unknown = sorted(set(names) - set(PULL_NAMES))
        if unknown:
            raise CommandError(f"Unknown resources: {', '.join(unknown)}. Choose from {', '.join(PULL_NAMES)}.")
        bars = _Bars(self.stderr._out)
        try:
            summary = twilio_pull(resources=names, progress=bars, resume=not no_resume)
        except GatewayError as exc:
            bars.close()
            # Pages already stored stay stored; the checkpoint lets the next run continue.
            raise CommandError(_explain(exc), returncode=1) from exc
        except KeyboardInterrupt:
            bars.close()
            raise CommandError(
                "Interrupted. Run twilio_pull again to continue where it stopped.", returncode=130
            ) from None
        bars.close()
        for name in summary.resources:
            self.stdout.write(summary.line(name))
        if not summary.resources:
            self.stdout.write("Nothing to pull.")
