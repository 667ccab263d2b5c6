"""Reads for clienteling, and the row rule: which customers a staff member may see.

The rule is written once, here, as a queryset filter, so every page, list, search,
export and command that starts from `customers_visible_to` shows the same rows:
- a superuser, or someone with "view all customers" (Auditors): every customer;
- a manager of a team: the customers of that team's advisors and of its senders'
  unassigned queue, plus their own;
- anyone else (an advisor): the customers they own, nobody else's, not the queue.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from conversations_ops import permissions as rules
from conversations_ops.masking import mask_address
from conversations_ops.models import (
    AddressConfiguration,
    ClientelingTeam,
    Conversation,
    ConversationState,
    Customer,
    SyncState,
    TeamMembership,
)


def customers_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Customer.objects.all() if queryset is None else queryset
    if user is None or not user.is_active:
        return queryset.none()
    if user.is_superuser or rules.user_may(user, rules.VIEW_ALL_CUSTOMERS):
        return queryset
    # Subqueries rather than joins: a join through memberships repeats a customer per team and needs
    # DISTINCT, which made the list scan and sort every customer (bench/clienteling.py: 2.4x slower at
    # 10,000 customers than at 1,000). These filter on the customer's own columns (the advisor index).
    teams = ClientelingTeam.objects.filter(managers=user).values("pk")
    advisors = TeamMembership.objects.filter(team__in=teams).values("advisor_id")
    senders = ClientelingTeam.senders.through.objects.filter(clientelingteam__in=teams).values(
        "addressconfiguration_id"
    )
    return queryset.filter(Q(advisor=user) | Q(advisor__in=advisors) | Q(advisor__isnull=True, sender__in=senders))


def conversations_visible_to(user) -> QuerySet:
    """The conversations of the customers `user` sees (the same rule, one join further)."""
    return Conversation.objects.filter(customer_link__customer__in=customers_visible_to(user))


def clienteling_sender(address: str) -> AddressConfiguration | None:
    """The live address configuration of a business address: any may serve clienteling."""
    return (
        AddressConfiguration.objects.filter(address=address.strip())
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .order_by("-id")
        .first()
    )


def customer_find(*, address: str, sender: AddressConfiguration) -> Customer | None:
    address = address.strip()
    field = "whatsapp_address" if address.startswith("whatsapp:") else "sms_address"
    return Customer.objects.filter(sender=sender, **{field: address}).select_related("advisor", "sender").first()


def customer_conversation(customer: Customer) -> Conversation | None:
    """The customer's current conversation: the newest one Twilio has not closed (nor deleted)."""
    return (
        Conversation.objects.filter(customer_link__customer=customer)
        .exclude(state=ConversationState.CLOSED)
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .order_by("-customer_link__id")
        .first()
    )


def unassigned_queue(user) -> QuerySet:
    """Customers waiting for a person: nobody owns them, or their last message could not be routed."""
    return customers_visible_to(user).filter(Q(advisor__isnull=True) | ~Q(routing_problem="")).order_by("id")


def customer_summary(customer: Customer, *, full_numbers: bool = False) -> dict:
    """What `clienteling show --json` prints; numbers masked unless the viewer may see them whole."""
    shown = (lambda text: text) if full_numbers else mask_address
    conversation = customer_conversation(customer)
    history = list(
        Conversation.objects.filter(customer_link__customer=customer)
        .order_by("customer_link__id")
        .values_list("sid", flat=True)
    )
    return {
        "id": customer.pk,
        "name": customer.name,
        "whatsapp_address": shown(customer.whatsapp_address) if customer.whatsapp_address else "",
        "sms_address": shown(customer.sms_address) if customer.sms_address else "",
        "sender": customer.sender.address,
        "advisor": customer.advisor.get_username() if customer.advisor else None,
        "conversation_sid": (conversation.sid or None) if conversation else None,
        "conversation_state": conversation.state if conversation else None,
        "conversations": [sid for sid in history if sid],
        "source": customer.source,
        "tags": customer.tags,
        "routing_problem": customer.routing_problem or None,
        "created_at": customer.created_at.isoformat(),
    }
