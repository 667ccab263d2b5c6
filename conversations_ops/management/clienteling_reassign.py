"""`clienteling reassign`: a customer, or all of an advisor's (someone leaves), move to another advisor.

Kept beside the command (commands/clienteling.py) so that file stays the assign/show one. The services
decide (clienteling/reassign.py); this reads the arguments, prints each move (numbers masked by
ShellCommand unless --as may see them) and exits 2 with the reason when refused."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from conversations_ops import permissions as rules
from conversations_ops.clienteling.reassign import (
    Introduction,
    Move,
    customer_reassign,
    customers_book,
    customers_reassign_all,
)
from conversations_ops.clienteling.selectors import clienteling_sender, customers_visible_to
from conversations_ops.clienteling.services import advisor_by_username
from conversations_ops.management.command_user import REFUSED, add_user_argument, command_user, validation_reasons
from conversations_ops.models import Customer


def add_reassign_arguments(parser) -> None:
    parser.add_argument("--from", dest="from_advisor", required=True, help="Username of the advisor they leave.")
    parser.add_argument("--to", dest="to_advisor", required=True, help="Username of the advisor who takes them.")
    parser.add_argument(
        "--customer", default="", help="Only this customer (whatsapp:+E.164 or +E.164); default: the whole book."
    )
    parser.add_argument(
        "--sender", default="", help="With --customer: the business address they talk to (when they talk to several)."
    )
    parser.add_argument(
        "--introduction", default="", metavar="HX...", help="An approved template the customer receives from --to."
    )
    parser.add_argument(
        "--variables", default="", metavar="JSON", help='The introduction\'s variables, e.g. \'{"1": "Robert"}\'.'
    )
    add_user_argument(parser)


def _refused(reason: str) -> CommandError:
    return CommandError(f"Refused: {reason}", returncode=REFUSED)


def _advisor(username: str, option: str):
    advisor = advisor_by_username(username)
    if advisor is None:
        raise _refused(f"{option}: no user {username!r}.")
    return advisor


def _introduction(options) -> Introduction | None:
    if not options["introduction"]:
        if options["variables"]:
            raise _refused("--variables go with --introduction (the template they fill).")
        return None
    try:
        variables = json.loads(options["variables"]) if options["variables"] else {}
    except json.JSONDecodeError as exc:
        raise _refused(f'--variables is not JSON ({exc.msg}): e.g. \'{{"1": "Robert"}}\'.') from exc
    if not isinstance(variables, dict):
        raise _refused('--variables must be a JSON object, e.g. \'{"1": "Robert"}\'.')
    return Introduction(content_sid=options["introduction"].strip(), variables=variables)


def _one_customer(options, user, from_advisor) -> Customer:
    """The customer named by --customer (and --sender), among --from's that the acting user may see."""
    address = options["customer"].strip()
    field = "whatsapp_address" if address.startswith("whatsapp:") else "sms_address"
    customers = Customer.objects.filter(advisor=from_advisor, **{field: address}).select_related("advisor", "sender")
    if options["sender"]:
        sender = clienteling_sender(options["sender"])
        customers = customers.filter(sender=sender) if sender else customers.none()
    if user is not None:
        customers = customers_visible_to(user, customers)
    found = list(customers[:2])
    if not found:
        where = f" on {options['sender']}" if options["sender"] else ""
        raise _refused(f"no customer {address}{where} of {from_advisor.get_username()} among those you may move.")
    if len(found) > 1:
        raise _refused(f"{address} talks to several senders: say which with --sender.")
    return found[0]


def _line(move: Move) -> str:
    customer = move.customer
    address = customer.whatsapp_address or customer.sms_address  # masked by the command's output
    conversation = (move.conversation.sid or "being created") if move.conversation else "none open: ownership only"
    introduced = ", introduction sent" if move.introduced else ""
    introduced += f". {move.not_introduced}" if move.not_introduced else ""
    return (
        f"{customer} ({address} via {customer.sender.address}): {move.from_username or '(unassigned)'} -> "
        f"{move.to_username}; conversation {conversation}{introduced}"
    )


def reassign(command, options) -> None:
    user = command_user(options["as_user"], needs=rules.ASSIGN_CUSTOMER, action="reassign customers")
    from_advisor = _advisor(options["from_advisor"], "--from")
    to_advisor = _advisor(options["to_advisor"], "--to")
    introduction = _introduction(options)
    if options["sender"] and not options["customer"]:
        raise _refused("--sender goes with --customer (the whole book moves on every sender).")
    try:
        if options["customer"]:
            customer = _one_customer(options, user, from_advisor)
            moves = [customer_reassign(customer=customer, advisor=to_advisor, user=user, introduction=introduction)]
            skipped = []
        else:
            total = customers_book(from_advisor=from_advisor, user=user).count()
            with tqdm(
                total=total, desc="customers", unit=" customers", file=command.stderr._out, mininterval=0.5
            ) as bar:
                book = customers_reassign_all(
                    from_advisor=from_advisor,
                    to_advisor=to_advisor,
                    user=user,
                    introduction=introduction,
                    progress=lambda _move: bar.update(1),
                )
            moves, skipped = book.moves, book.skipped
    except ValidationError as exc:
        raise _refused(validation_reasons(exc)) from exc
    for move in moves:
        command.stdout.write(_line(move))
    for customer, reason in skipped:
        command.stderr.write(f"Not moved: {customer}: {reason}")
    command.stdout.write(
        f"{len(moves)} customer{'s' if len(moves) != 1 else ''} moved from {from_advisor.get_username()} "
        f"to {to_advisor.get_username()}."
    )
