"""Reassignment (issue 19, item 5): a customer, or a whole book (someone leaves), moves to another advisor.

What moves is ownership and the chat participant, nothing else: the customer's
conversations and their history stay where they are, so the new advisor reads
the whole transcript. In the customer's open conversation the old advisor's chat
participant is removed and the new advisor's added, both through the outbox on
the conversation's ordering key (remove first, then add, then the optional
introduction template, in that order on Twilio). A customer without an open
conversation only changes owner: the next conversation is made with the new one.

A customer who opted out of the sender (issue 20) is moved all the same, without the
introduction, and the move says why (`Move.not_introduced`, shown by the page and the
command, kept in the audit entry): who owns them is the business's own bookkeeping, not a
message, while the introduction is a message they said they do not want.

The old advisor loses access at once because access is a query (`customers_visible_to`
in selectors.py) on `Customer.advisor`, not a grant to revoke.

Who may move whom: an unrestricted user (a superuser, someone who sees every customer,
or a shell command run as nobody) moves anyone; a manager moves only the customers
they see through their teams, and only to advisors of the teams they manage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django_q.tasks import async_task

from conversations_ops import permissions as rules
from conversations_ops.audit.entries import audit_record
from conversations_ops.db_writes import write_transaction
from conversations_ops.models import Conversation, ConversationState, Customer, Participant, SyncState, TeamMembership
from conversations_ops.outbox.refusals import message_refusals
from conversations_ops.services.messages import message_send, message_send_check
from conversations_ops.services.participants import participant_remove

from .selectors import customer_conversation, customers_visible_to
from .services import advisor_participant_ensure, advisor_problem

# A whole book moved in the admin request up to this many customers (~50 ms each: ~10 s); more go to a worker.
BOOK_MOVE_INLINE_MAX = 200


@dataclass(frozen=True)
class Introduction:
    """An approved template the customer receives from their new advisor, with its variables."""

    content_sid: str
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Move:
    """One customer moved: what the command prints and the admin counts."""

    customer: Customer
    from_username: str | None
    to_username: str
    conversation: Conversation | None  # the open one whose chat participant changed; None: ownership only
    introduced: bool
    not_introduced: str = ""  # why an introduction asked for was not sent (the customer opted out)


@dataclass
class BookMove:
    """A whole book moved: the moves, and the customers left where they were with why."""

    moves: list[Move] = field(default_factory=list)
    skipped: list[tuple[Customer, str]] = field(default_factory=list)


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _unrestricted(user) -> bool:
    return user is None or user.is_superuser or rules.user_may(user, rules.VIEW_ALL_CUSTOMERS)


def _managed_teams_text(user) -> str:
    names = [team.name for team in user.managed_clienteling_teams.order_by("name")]
    return ", ".join(names) or "none"


def _target_problems(*, advisor, from_advisor, user) -> dict[str, str]:
    """Why `advisor` may not take customers from `from_advisor` for `user` (by field; empty: they may)."""
    if problem := advisor_problem(advisor):
        return {"advisor": problem}
    if from_advisor is not None and from_advisor.pk == advisor.pk:
        return {"advisor": f"The customers are already {advisor.get_username()}'s: choose another advisor."}
    if not _unrestricted(user) and not TeamMembership.objects.filter(team__managers=user, advisor=advisor).exists():
        return {
            "advisor": f"{advisor.get_username()} is not an advisor of a team you manage "
            f"({_managed_teams_text(user)}): you may move customers only to your teams' advisors."
        }
    return {}


def _introduction_problems(introduction: Introduction | None, conversation: Conversation | None) -> list[str]:
    # The same guard as every staff send (approved template, variables that fit); a template is what
    # WhatsApp allows outside the 24-hour window anyway, so no window check can refuse it.
    if introduction is None or conversation is None:
        return []
    # Consent is asked per customer when they move (_move): an opted-out one moves without it.
    return message_send_check(
        conversation=conversation,
        content_sid=introduction.content_sid,
        variables=introduction.variables,
        ask_consent=False,
    )


def customer_reassign_check(*, customer: Customer, advisor, user, introduction: Introduction | None = None) -> None:
    """Raises ValidationError by field ("advisor", "customer", "introduction") when the move is refused."""
    errors = _target_problems(advisor=advisor, from_advisor=customer.advisor, user=user)
    if not _unrestricted(user) and not customers_visible_to(user).filter(pk=customer.pk).exists():
        errors["customer"] = f"{customer} is not a customer of a team you manage ({_managed_teams_text(user)})."
    conversation = customer_conversation(customer)
    if introduction is not None and conversation is None:
        errors["introduction"] = (
            f"{customer} has no open conversation to introduce the new advisor in: move them without an "
            "introduction (their next conversation is made with the new advisor)."
        )
    elif problems := _introduction_problems(introduction, conversation):
        errors["introduction"] = " ".join(problems)
    if errors:
        raise ValidationError(errors)


def customer_reassign(*, customer: Customer, advisor, user, introduction: Introduction | None = None) -> Move:
    """Moves one customer to `advisor` (see the module's docstring); ValidationError by field when refused."""
    customer_reassign_check(customer=customer, advisor=advisor, user=user, introduction=introduction)
    with write_transaction():
        customer = (
            Customer.objects.select_for_update(of=("self",)).select_related("advisor", "sender").get(pk=customer.pk)
        )
        if customer.advisor_id == advisor.pk:  # someone else moved them meanwhile
            raise ValidationError({"advisor": f"{customer} is already {advisor.get_username()}'s."})
        return _move(customer, advisor, user, introduction)


def customers_reassign_all(
    *,
    from_advisor,
    to_advisor,
    user,
    introduction: Introduction | None = None,
    progress: Callable[[Move | None], None] | None = None,
) -> BookMove:
    """Moves every customer of `from_advisor` that `user` may move (someone leaves).

    One transaction per customer: a book of thousands holds no lock for long, and a run stopped
    half-way is finished by running it again (the customers moved are no longer `from_advisor`'s).
    `progress` is called after each customer (the command's progress bar)."""
    book = customers_reassign_all_check(
        from_advisor=from_advisor, to_advisor=to_advisor, user=user, introduction=introduction
    )
    result = BookMove()
    for customer_id in list(book.values_list("pk", flat=True)):
        move = _move_one_of_book(customer_id, from_advisor, to_advisor, user, introduction, result)
        if progress is not None:
            progress(move)
    return result


def customers_reassign_all_later(*, from_advisor, to_advisor, user, introduction: Introduction | None = None) -> int:
    """Checks the move now (refusals as customers_reassign_all's) and runs it in a worker; answers
    how many customers it will move. A book moves at ~50 ms a customer: past BOOK_MOVE_INLINE_MAX
    it would outlast a web request (gunicorn's 30 s), so the admin page hands it over here."""
    book = customers_reassign_all_check(
        from_advisor=from_advisor, to_advisor=to_advisor, user=user, introduction=introduction
    )
    count = book.count()
    # Primary keys and the template's SID and values only: no phone number in django-q2's tables.
    async_task(
        "conversations_ops.tasks.clienteling_book_reassign",
        from_advisor.pk,
        to_advisor.pk,
        user.pk if getattr(user, "is_authenticated", False) else None,
        introduction.content_sid if introduction else "",
        introduction.variables if introduction else {},
        task_name=f"book-reassign-{from_advisor.pk}-{to_advisor.pk}",
        group="clienteling",
    )
    return count


def customers_reassign_all_queued(*, from_id: int, to_id: int, user_id: int | None, content_sid: str, variables: dict):
    """The worker's side of customers_reassign_all_later: the same move, the people read again."""
    people = get_user_model().objects.in_bulk([pk for pk in (from_id, to_id, user_id) if pk is not None])
    introduction = Introduction(content_sid=content_sid, variables=variables) if content_sid else None
    return customers_reassign_all(
        from_advisor=people[from_id], to_advisor=people[to_id], user=people.get(user_id), introduction=introduction
    )


def customers_reassign_all_check(*, from_advisor, to_advisor, user, introduction: Introduction | None = None):
    """The refusals of a whole book's move (ValidationError by field); answers the book."""
    errors = _target_problems(advisor=to_advisor, from_advisor=from_advisor, user=user)
    if (
        not _unrestricted(user)
        and not TeamMembership.objects.filter(team__managers=user, advisor=from_advisor).exists()
    ):
        errors["from_advisor"] = (
            f"{from_advisor.get_username()} is not an advisor of a team you manage ({_managed_teams_text(user)})."
        )
    if errors:
        raise ValidationError(errors)
    book = customers_book(from_advisor=from_advisor, user=user)
    if introduction is not None:
        first = (
            Conversation.objects.filter(customer_link__customer__in=book)
            .exclude(state=ConversationState.CLOSED)
            .exclude(sync_state=SyncState.DELETED_REMOTELY)
            .first()
        )
        if problems := _introduction_problems(introduction, first):
            raise ValidationError({"introduction": " ".join(problems)})
    return book


def customers_book(*, from_advisor, user):
    """The customers of `from_advisor` that `user` may move (all of them for an unrestricted user)."""
    customers = Customer.objects.all() if _unrestricted(user) else customers_visible_to(user)
    return customers.filter(advisor=from_advisor).order_by("pk")


def _move_one_of_book(customer_id, from_advisor, to_advisor, user, introduction, result: BookMove) -> Move | None:
    with write_transaction():
        customer = (
            Customer.objects.select_for_update(of=("self",)).select_related("advisor", "sender").get(pk=customer_id)
        )
        if customer.advisor_id != from_advisor.pk:
            return None  # moved by someone else since the book was read
        intro = introduction if customer_conversation(customer) is not None else None
        try:
            move = _move(customer, to_advisor, user, intro)
        except ValidationError as exc:  # e.g. Twilio's participant count: this customer stays, the rest move
            result.skipped.append((customer, " ".join(exc.messages)))
            return None
    result.moves.append(move)
    return move


def _move(customer: Customer, advisor, user, introduction: Introduction | None) -> Move:
    """Call in a transaction, with the customer locked: owner, chat participants, introduction, audit."""
    before = customer.advisor
    conversation = customer_conversation(customer)
    customer.advisor = advisor
    customer.routing_problem = ""  # a person owns them now: nothing waits in the queue
    customer.save(update_fields=["advisor", "routing_problem", "updated_at"])
    introduced, not_introduced = False, ""
    if conversation is not None:
        if before is not None:
            for participant in Participant.objects.filter(
                conversation=conversation, identity=before.get_username()
            ).exclude(sync_state=SyncState.DELETED_REMOTELY):
                participant_remove(participant=participant, user=user)
        advisor_participant_ensure(customer=customer, conversation=conversation, user=user)
        author = advisor.get_username()
        if introduction is not None and (refusals := message_refusals(conversation_id=conversation.pk, author=author)):
            not_introduced = "No introduction: " + " ".join(refusals)
        elif introduction is not None:
            # From the new advisor: it reaches everyone else in the conversation, i.e. the customer.
            message_send(
                conversation=conversation,
                content_sid=introduction.content_sid,
                content_variables=introduction.variables or None,
                author=author,
                user=user,
                guard=True,
            )
            introduced = True
    audit_record(
        action="clienteling.reassign",
        user=user,
        target=customer,
        detail={
            "from": _username(before),
            "to": advisor.get_username(),
            "conversation": (conversation.sid or None) if conversation else None,
            "introduction": introduction.content_sid if introduced else None,
            **({"not_introduced": not_introduced} if not_introduced else {}),
        },
    )
    return Move(
        customer=customer,
        from_username=_username(before),
        to_username=advisor.get_username(),
        conversation=conversation,
        introduced=introduced,
        not_introduced=not_introduced,
    )
