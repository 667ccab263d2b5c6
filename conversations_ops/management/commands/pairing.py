import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from conversations_ops import permissions as rules
from conversations_ops.management.command_user import ShellCommand, add_user_argument, command_user
from conversations_ops.masking import mask_address
from conversations_ops.messaging.template_variables import template_variables_parse
from conversations_ops.models import Pairing
from conversations_ops.pairings.actions import (
    PairingRefused,
    pairing_abandon,
    pairing_close,
    pairing_retry,
    pairing_start,
)
from conversations_ops.pairings.preflight import PairingRequest
from conversations_ops.pairings.selectors import pairing_summary

REFUSED = 2


class Command(ShellCommand):
    help = (
        "Courier pairings (masked WhatsApp/SMS conversations started with approved templates). "
        "start: prints the pairing id, exit 0; exit 2 with the reasons when the pre-flight refuses. "
        "show ID [--json]; close ID; retry ID (a failed step); abandon ID (a pairing that failed to start). "
        "start, close, retry and abandon take --as USERNAME (default $CONSOLE_USER): that user's permissions "
        "are checked and the action is theirs."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser("start", help="Check everything, then start a pairing.")
        start.add_argument("--sender", required=True, help="The business WhatsApp number, e.g. whatsapp:+14155238889.")
        start.add_argument("--customer", required=True, help="whatsapp:+E.164 for WhatsApp, +E.164 for SMS.")
        start.add_argument("--courier", required=True, help="whatsapp:+E.164 for WhatsApp, +E.164 for SMS.")
        start.add_argument("--invite-template", required=True, help="Approved template SID (HX...) for the customer.")
        start.add_argument("--invite-variables", default="", help='e.g. \'{"1": "Robert", "2": "Alicia"}\'.')
        start.add_argument("--connected-template", required=True, help="Approved template SID for the courier.")
        start.add_argument("--connected-variables", default="", help="Its placeholders as JSON, if it has any.")
        start.add_argument("--auto-reply", default="", help="Sent to the customer after their first reply.")
        start.add_argument("--sms-sender", default="", help="Business SMS number for an SMS party (+E.164).")
        start.add_argument(
            "--reply-timeout",
            type=int,
            default=None,
            help="Minutes the customer has to reply (default PAIRING_REPLY_TIMEOUT_MINUTES).",
        )
        add_user_argument(start)
        for name, text in (
            ("show", "Show a pairing's state and timeline."),
            ("close", "Close a pairing."),
            ("retry", "Send a failed pairing's failed steps again."),
            ("abandon", "Give up a pairing that failed to start; deletes its conversation."),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("id", type=int)
            if name == "show":
                action.add_argument("--json", action="store_true", help="Machine-readable output.")
            # show: numbers are whole only for a user with "view full numbers".
            add_user_argument(action)

    def handle(self, *args, action, **options):
        if action == "start":
            return self._start(options)
        pairing = Pairing.objects.filter(pk=options["id"]).first()
        if pairing is None:
            raise CommandError(f"No pairing #{options['id']}.", returncode=REFUSED)
        if action == "show":
            return self._show(pairing, as_json=options["json"], mask=mask_address if not self.full_numbers else str)
        user = command_user(options["as_user"], needs=rules.MANAGE_PAIRING, action=f"{action} a pairing")
        try:
            if action == "close":
                pairing = pairing_close(pairing=pairing, user=user)
            elif action == "retry":
                self.stdout.write(f"{pairing_retry(pairing=pairing, user=user)} step(s) sent again.")
                pairing.refresh_from_db()
            else:
                pairing = pairing_abandon(pairing=pairing, user=user)
        except ValidationError as exc:
            raise CommandError("Refused: " + " ".join(exc.messages), returncode=REFUSED) from exc
        self.stdout.write(self.style.SUCCESS(f"{pairing}: {pairing.get_state_display()}"))
        return None

    def _start(self, options):
        user = command_user(options["as_user"], needs=rules.START_PAIRING, action="start a pairing")
        try:
            request = PairingRequest(
                sender=options["sender"],
                customer=options["customer"],
                courier=options["courier"],
                invite_template=options["invite_template"],
                invite_variables=template_variables_parse(text=options["invite_variables"]),
                connected_template=options["connected_template"],
                connected_variables=template_variables_parse(text=options["connected_variables"]),
                auto_reply=options["auto_reply"],
                sms_sender=options["sms_sender"],
                reply_timeout_minutes=options["reply_timeout"],
            )
            pairing = pairing_start(request=request, user=user)
        except PairingRefused as exc:
            raise CommandError("Refused:\n  " + "\n  ".join(exc.preflight.reasons()), returncode=REFUSED) from exc
        except ValidationError as exc:
            raise CommandError("Refused: " + " ".join(exc.messages), returncode=REFUSED) from exc
        self.stdout.write(str(pairing.pk))

    def _show(self, pairing, *, as_json: bool, mask):
        summary = pairing_summary(pairing=pairing, mask=mask)
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(f"{pairing}: {summary['state_label']}  conversation {summary['conversation_sid'] or '-'}")
        self.stdout.write(f"  customer {summary['customer']}  courier {summary['courier']}  via {summary['sender']}")
        if summary["failure"]:
            self.stdout.write(f"  failure: {summary['failure']}")
        for line in summary["timeline"]:
            self.stdout.write(
                f"  - {line['label']}: {line['status']}" + (f" ({line['detail']})" if line["detail"] else "")
            )
