"""`clienteling assign`, `show` and `reassign` (the fixed command interface: README, "Clienteling"; issue 19)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from conversations_ops import permissions as rules
from conversations_ops.clienteling.selectors import (
    clienteling_sender,
    customer_find,
    customer_summary,
    customers_visible_to,
)
from conversations_ops.clienteling.services import advisor_by_username, conversation_timer_warnings, customer_assign
from conversations_ops.management.clienteling_reassign import add_reassign_arguments, reassign
from conversations_ops.management.command_user import (
    REFUSED,
    ShellCommand,
    add_user_argument,
    command_user,
    validation_reasons,
)


class Command(ShellCommand):
    help = (
        "Clienteling: advisors' customers. assign --customer ADDR --sender ADDR --advisor USERNAME [--name NAME]: "
        "the customer (created when new) is that advisor's on that sender and gets a conversation with them; "
        "show --customer ADDR --sender ADDR [--json]; reassign --from USERNAME --to USERNAME [--customer ADDR "
        "[--sender ADDR]] [--introduction HX... [--variables JSON]]: all of an advisor's customers, or one, move "
        "to another advisor. All take --as USERNAME (default $CONSOLE_USER); "
        "refusals exit 2 with the reason."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        assign = sub.add_parser("assign", help="Give a customer (created when new) to an advisor.")
        show = sub.add_parser("show", help="Show a customer: advisor, conversation, history.")
        for action in (assign, show):
            action.add_argument("--customer", required=True, help="whatsapp:+E.164 for WhatsApp, +E.164 for SMS.")
            action.add_argument(
                "--sender", required=True, help="The business address with an address configuration they talk to."
            )
            add_user_argument(action)
        assign.add_argument("--advisor", required=True, help="Username of a staff member in the Advisors group.")
        assign.add_argument("--name", default="", help="The customer's name (kept when they have one).")
        show.add_argument("--json", action="store_true", help="Machine-readable output.")
        add_reassign_arguments(sub.add_parser("reassign", help="Move a customer, or all of an advisor's, to another."))

    def handle(self, *args, action, **options):
        if action == "assign":
            return self._assign(options)
        if action == "reassign":
            return reassign(self, options)
        return self._show(options)

    def _assign(self, options):
        user = command_user(options["as_user"], needs=rules.ASSIGN_CUSTOMER, action="assign customers")
        advisor = advisor_by_username(options["advisor"])
        if advisor is None:
            raise CommandError(f"Refused: advisor: no user {options['advisor']!r}.", returncode=REFUSED)
        try:
            customer = customer_assign(
                customer_address=options["customer"],
                sender_address=options["sender"],
                advisor=advisor,
                name=options["name"],
                user=user,
            )
        except ValidationError as exc:
            raise CommandError(f"Refused: {validation_reasons(exc)}", returncode=REFUSED) from exc
        for warning in conversation_timer_warnings():
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(str(customer.pk))

    def _show(self, options):
        user = command_user(options["as_user"], needs=rules.VIEW_CUSTOMERS, action="see customers")
        sender = clienteling_sender(options["sender"])
        customer = customer_find(address=options["customer"], sender=sender) if sender else None
        if customer is not None and user is not None:
            customer = customers_visible_to(user).filter(pk=customer.pk).select_related("advisor", "sender").first()
        if customer is None:
            raise CommandError(
                f"Refused: no customer {options['customer']} on {options['sender']}"
                + (" among those you may see." if user is not None else "."),
                returncode=REFUSED,
            )
        summary = customer_summary(customer, full_numbers=self.full_numbers)
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(
            f"{customer}: advisor {summary['advisor'] or '(unassigned)'}  "
            f"conversation {summary['conversation_sid'] or '-'}  via {summary['sender']}"
        )
        if summary["routing_problem"]:
            self.stdout.write(f"  routing problem: {summary['routing_problem']}")
