"""Routing inbound messages on clienteling senders: the one place that decides (issue 19, item 3).

Twilio itself routes a known customer's message into their open conversation (one open
conversation per address+proxy pair): the advisor is already in it. What reaches this
module is a conversation the console has not linked to a customer yet, which Twilio
auto-created for a message to a sender (its address configuration):
- the customer is known (Twilio closed their last conversation): the new one is linked
  to them, their advisor added;
- nobody knows the number: a customer is created (source "inbound") and, when the
  sender's team assigns by round-robin, given to its available advisor idle the longest;
  else they wait in the unassigned queue.
A sender is a clienteling sender when a team serves it or a customer talks to it.

The message is already in the mirror when routing runs (the appliers call this after
storing it), and routing runs in a savepoint: when it fails, the message stays, and the
customer waits in the queue with the reason (`routing_problem`).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from conversations_ops.models import (
    AddressConfiguration,
    Assignment,
    ClientelingTeam,
    Conversation,
    Customer,
    CustomerConversation,
    CustomerSource,
    Participant,
    SyncState,
    TeamMembership,
)

from .selectors import clienteling_sender, customer_find
from .services import ADVISORS_GROUP, _new_customer, advisor_participant_ensure, conversation_link

logger = logging.getLogger(__name__)


def clienteling_route(*, conversation: Conversation | None) -> str:
    """Routes `conversation` when it is a clienteling one; answers a line for the event's outcome ("" when not)."""
    if conversation is None or conversation.pk is None:
        return ""
    link = CustomerConversation.objects.filter(conversation=conversation).select_related("customer").first()
    if link is not None:
        return _ensure_advisor(link.customer, conversation)
    person = (
        Participant.objects.filter(conversation=conversation)
        .exclude(messaging_binding_address="")
        .exclude(messaging_binding_proxy_address="")
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .first()
    )
    if person is None:
        return ""  # its participant has not reached the mirror yet: their event routes it
    sender = clienteling_sender(person.messaging_binding_proxy_address)
    if sender is None:
        return ""
    customer = customer_find(address=person.messaging_binding_address, sender=sender)
    if customer is None and not sender.clienteling_teams.exists():
        return ""  # not a clienteling sender
    try:
        with transaction.atomic():
            customer, how = _customer_for(customer, person.messaging_binding_address, sender)
            conversation_link(customer=customer, conversation=conversation)
    except (IntegrityError, ValidationError) as exc:
        # Another worker linked it at the same moment (then its routing holds), or the number is invalid.
        logger.warning("Clienteling routing of conversation %s stopped: %s", conversation.pk, exc)
        return f"; clienteling: not routed ({exc})"
    return f"; clienteling: {how}" + _ensure_advisor(customer, conversation)


def clienteling_route_many(*, conversation_ids) -> int:
    """The bulk applier's run of messages: routes their conversations; one query when nobody uses clienteling."""
    ids = {pk for pk in conversation_ids if pk is not None}
    if not ids or not (ClientelingTeam.objects.exists() or Customer.objects.exists()):
        return 0
    return sum(bool(clienteling_route(conversation=c)) for c in Conversation.objects.filter(pk__in=ids))


def _customer_for(customer: Customer | None, address: str, sender: AddressConfiguration) -> tuple[Customer, str]:
    if customer is not None:
        return customer, f"{customer} wrote again, a new conversation linked"
    customer = _new_customer(address, sender, name="", source=CustomerSource.INBOUND)
    advisor, problem = _round_robin(sender)
    customer.advisor, customer.routing_problem = advisor, problem
    customer.save(update_fields=["advisor", "routing_problem", "updated_at"])
    if advisor is None:
        return customer, f"new {customer} waits in the unassigned queue"
    return customer, f"new {customer} assigned to {advisor.get_username()} (round-robin)"


def _round_robin(sender: AddressConfiguration):
    """(advisor, "") from the sender's round-robin team, or (None, why nobody) for the queue."""
    team = sender.clienteling_teams.order_by("name").first()
    if team is None or team.assignment != Assignment.ROUND_ROBIN:
        return None, ""
    membership = (
        TeamMembership.objects.select_for_update()
        .filter(team=team, available=True, advisor__is_active=True, advisor__groups__name=ADVISORS_GROUP)
        .select_related("advisor")
        .order_by(F("last_assigned_at").asc(nulls_first=True), "id")
        .first()
    )
    if membership is None:
        return None, f"No advisor of team {team} is available for round-robin: assign them by hand."
    membership.last_assigned_at = timezone.now()
    membership.save(update_fields=["last_assigned_at"])
    return membership.advisor, ""


def _ensure_advisor(customer: Customer, conversation: Conversation) -> str:
    """The advisor joins as a chat participant (queued); a refusal leaves the customer in the queue with why."""
    if customer.advisor is None:
        return ""
    try:
        with transaction.atomic():
            added = advisor_participant_ensure(customer=customer, conversation=conversation)
    except ValidationError as exc:
        problem = (
            f"{customer.advisor.get_username()} could not be added to conversation "
            f"{conversation.sid or conversation.pk}: {' '.join(exc.messages)}"
        )
        Customer.objects.filter(pk=customer.pk).update(routing_problem=problem, updated_at=timezone.now())
        return f"; clienteling: {problem}"
    if customer.routing_problem:
        Customer.objects.filter(pk=customer.pk).update(routing_problem="", updated_at=timezone.now())
    return "" if added is None or added.sid else f"; {customer.advisor.get_username()} joins as chat participant"
