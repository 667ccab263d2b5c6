"""`consent show` and `consent set` (the fixed command interface: README, "Consent and opt-out")."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from conversations_ops import permissions as rules
from conversations_ops.consent.selectors import consent_summary
from conversations_ops.consent.services import consent_set
from conversations_ops.management.command_user import (
    REFUSED,
    ShellCommand,
    add_user_argument,
    command_user,
    validation_reasons,
)
from conversations_ops.models import ConsentState


class Command(ShellCommand):
    help = (
        "Consent: may the business message this person from this sender? show --address ADDR --sender ADDR "
        "[--json]: the state (opted_in, opted_out, unknown) and its history; set --address ADDR --sender ADDR "
        "--state opted_in|opted_out --reason TEXT: staff's override, always with a reason. Both take --as "
        "USERNAME (default $CONSOLE_USER); numbers are masked unless that user may see them; refusals exit 2."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="The person's consent on a sender, with its history.")
        change = sub.add_parser("set", help="Opt a person in (with a reason) or out (on their request).")
        for action in (show, change):
            action.add_argument("--address", required=True, help="The person: whatsapp:+E.164 or +E.164 (SMS).")
            action.add_argument("--sender", required=True, help="The business sender: whatsapp:+E.164 or +E.164.")
            add_user_argument(action)
        show.add_argument("--json", action="store_true", help="Machine-readable output.")
        change.add_argument("--state", required=True, choices=[ConsentState.OPTED_IN, ConsentState.OPTED_OUT])
        change.add_argument("--reason", default="", help="Why (required): who asked, how, the ticket.")

    def handle(self, *args, action, **options):
        if action == "set":
            return self._set(options)
        return self._show(options)

    def _show(self, options):
        command_user(options["as_user"], needs=rules.VIEW_CONSENT, action="read consent")
        summary = consent_summary(
            address=options["address"].strip(), sender=options["sender"].strip(), full_numbers=self.full_numbers
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(f"{summary['address']} on {summary['sender']}: {summary['state']}")
        if summary["refusal"]:
            self.stdout.write(f"  refused: {summary['refusal']}")
        for change in summary["history"]:
            self.stdout.write(f"  {change['occurred_at']}  {change['words']}" + _evidence(change))

    def _set(self, options):
        user = command_user(options["as_user"], needs=rules.CHANGE_CONSENT, action="change consent")
        if user is None:
            raise CommandError(
                "Refused: say who records this change: --as USERNAME or CONSOLE_USER=USERNAME.", returncode=REFUSED
            )
        try:
            change = consent_set(
                address=options["address"].strip(),
                sender=options["sender"].strip(),
                state=options["state"],
                reason=options["reason"],
                user=user,
            )
        except ValidationError as exc:
            raise CommandError(f"Refused: {validation_reasons(exc)}", returncode=REFUSED) from exc
        self.stdout.write(f"{change.consent}: {change.consent.state} ({change.get_how_display()})")


def _evidence(change: dict) -> str:
    parts = [f"message {change['message_sid']}" if change["message_sid"] else ""]
    parts.append(f"by {change['staff']}" if change["staff"] else "")
    shown = ", ".join(part for part in parts if part)
    return f"  [{shown}]" if shown else ""
