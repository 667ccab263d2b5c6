"""Clienteling writes: create a customer, assign them to an advisor, keep their conversation.

Every write that reaches Twilio goes through the outbox as pairings' do: the
conversation, the customer's messaging participant and the advisor's chat participant
(identity = their username) are rows queued in one transaction, pushed in order on the
conversation's ordering key.

The conversation is long-lived: it is created without timers, so Twilio never closes it
early, unless the account's default timers would (the warning `conversation_timer_warnings`
says so where staff assign). When Twilio closed it anyway, the next one (the customer
writes again, or staff assign again) is linked to the same customer: CustomerConversation.
"""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from conversations_ops import validators as v
from conversations_ops.audit.entries import audit_record
from conversations_ops.db_writes import write_transaction
from conversations_ops.mirror.activity import customer_activity_refresh
from conversations_ops.models import (
    AccountConfiguration,
    AddressConfiguration,
    Conversation,
    ConversationState,
    Customer,
    CustomerConversation,
    CustomerSource,
    Participant,
    ParticipantRole,
    SyncState,
)
from conversations_ops.models.account import timer_warnings
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.participants import participant_add

from .selectors import clienteling_sender, customer_conversation, customer_find

ADVISORS_GROUP = "Advisors"
UNIQUE_NAME_PREFIX = "clienteling-"


def advisor_problem(advisor) -> str:
    """Why `advisor` cannot own customers, or "" when they can."""
    if advisor is None:
        return "No such advisor."
    if not (advisor.is_active and advisor.is_staff):
        return f"{advisor.get_username()} is not an active staff account."
    if not advisor.groups.filter(name=ADVISORS_GROUP).exists():
        return f"{advisor.get_username()} is not in the {ADVISORS_GROUP} group."
    return ""


def advisor_by_username(username: str):
    user_model = get_user_model()
    return user_model.objects.filter(**{user_model.USERNAME_FIELD: username.strip()}).first()


def _sender_or_refuse(address: str) -> AddressConfiguration:
    sender = clienteling_sender(address)
    if sender is None:
        raise ValidationError(
            {"sender": f"{address} has no address configuration in the console: add it (Support) or pull it first."}
        )
    return sender


def _channel_problem(address: str, sender: AddressConfiguration) -> str:
    whatsapp_sender = sender.address.startswith("whatsapp:")
    if address.startswith("whatsapp:") != whatsapp_sender:
        kind = "a WhatsApp address (whatsapp:+E.164)" if whatsapp_sender else "an SMS number (+E.164)"
        return f"{sender.address} talks {'WhatsApp' if whatsapp_sender else 'SMS'}: the customer needs {kind}."
    return ""


def customer_assign(*, customer_address: str, sender_address: str, advisor, name: str = "", user=None) -> Customer:
    """The customer (created when new) is owned by `advisor` on that sender, and has a conversation
    with them (queued). Raises ValidationError naming the field when refused."""
    customer_address = customer_address.strip()
    try:
        v.validate_messaging_address(customer_address)
    except ValidationError as exc:
        raise ValidationError({"customer": exc.messages}) from exc
    sender = _sender_or_refuse(sender_address)
    for field, problem in (
        ("customer", _channel_problem(customer_address, sender)),
        ("advisor", advisor_problem(advisor)),
    ):
        if problem:
            raise ValidationError({field: problem})
    with write_transaction():
        customer = customer_find(address=customer_address, sender=sender)
        created = customer is None
        if created:
            customer = _new_customer(customer_address, sender, name=name, source=CustomerSource.STAFF, user=user)
        before = customer.advisor
        if before is not None and before != advisor:
            raise ValidationError(
                {
                    "advisor": f"{customer} is already {before.get_username()}'s: reassign them instead "
                    "(clienteling reassign), which moves the conversation's chat participant."
                }
            )
        customer.advisor = advisor
        if name and not customer.name:
            customer.name = name
        customer.routing_problem = ""
        customer.save(update_fields=["advisor", "name", "routing_problem", "updated_at"])
        customer_conversation_ensure(customer=customer, user=user)
        audit_record(
            action="clienteling.assign",
            user=user,
            target=customer,
            detail={"customer": customer_address, "sender": sender.address, "advisor": advisor.get_username()},
        )
        return customer


def customer_create(
    *,
    address: str,
    sender: AddressConfiguration,
    name: str = "",
    advisor=None,
    notes: str = "",
    tags: list | None = None,
    source: str = CustomerSource.STAFF,
    user=None,
) -> Customer:
    """Staff record a customer (the admin's add page, a CSV import: `source`): with an advisor they are
    assigned at once (their conversation queued); without, they wait in the unassigned queue.
    ValidationError names the field."""
    address = address.strip()
    customer_create_check(address=address, sender=sender, advisor=advisor)
    with write_transaction():
        customer = _new_customer(address, sender, name=name, source=source, user=user)
        customer.notes, customer.tags, customer.advisor = notes, tags or [], advisor
        customer.save(update_fields=["notes", "tags", "advisor", "updated_at"])
        if advisor is not None:
            customer_conversation_ensure(customer=customer, user=user)
        audit_record(
            action="clienteling.create",
            user=user,
            target=customer,
            detail={"sender": sender.address, "advisor": advisor.get_username() if advisor else None},
        )
        return customer


def customer_create_check(*, address: str, sender: AddressConfiguration, advisor=None) -> None:
    """What refuses a new customer, by field (the admin's form shows each beside its field)."""
    address_field = "whatsapp_address" if sender.address.startswith("whatsapp:") else "sms_address"
    errors = {}
    if not address:
        wanted = "WhatsApp address" if address_field == "whatsapp_address" else "SMS number"
        errors[address_field] = f"{sender.address} needs the customer's {wanted}."
    elif _channel_problem(address, sender):
        errors[address_field] = _channel_problem(address, sender)
    elif customer_find(address=address, sender=sender) is not None:
        errors["sender"] = f"This customer already talks to {sender.address}: open their page."
    if advisor is not None and advisor_problem(advisor):
        errors["advisor"] = advisor_problem(advisor)
    if errors:
        raise ValidationError(errors)


CHANGEABLE = ("name", "notes", "tags")


def customer_update(*, customer: Customer, data: dict, user=None) -> Customer:
    """Name, notes and tags: the console's own record (nothing on Twilio). The owner changes by reassignment."""
    changed = [name for name in CHANGEABLE if name in data and getattr(customer, name) != data[name]]
    if not changed:
        return customer
    with write_transaction():
        for name in changed:
            setattr(customer, name, data[name])
        customer.full_clean()
        customer.save(update_fields=[*changed, "updated_at"])
        audit_record(action="clienteling.update", user=user, target=customer, detail={"changed": changed})
    return customer


def _new_customer(address: str, sender: AddressConfiguration, *, name: str, source: str, user=None) -> Customer:
    customer = Customer(
        name=name,
        sender=sender,
        source=source,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **({"whatsapp_address": address} if address.startswith("whatsapp:") else {"sms_address": address}),
    )
    customer.full_clean()
    customer.save()
    return customer


def customer_conversation_ensure(*, customer: Customer, user=None) -> Conversation:
    """The customer's open conversation with their advisor in it: adopted when Twilio already holds
    one for their number and the sender, created (queued) otherwise. Call in a transaction."""
    conversation = customer_conversation(customer) or _adopt(customer)
    if conversation is None:
        conversation = _create(customer, user)
    advisor_participant_ensure(customer=customer, conversation=conversation, user=user)
    return conversation


def conversation_link(*, customer: Customer, conversation: Conversation) -> None:
    _, created = CustomerConversation.objects.get_or_create(conversation=conversation, defaults={"customer": customer})
    if created:  # messages recorded before the link (routing waited for the participant) count too
        customer_activity_refresh(conversation_ids=[conversation.pk])


def _adopt(customer: Customer) -> Conversation | None:
    """An open conversation holding the customer's number and the sender (Twilio's auto-creation, or one
    made by hand): Twilio allows no second one (50416), so it becomes the customer's."""
    holder = (
        Participant.objects.filter(
            messaging_binding_address=customer.address, messaging_binding_proxy_address=customer.sender.address
        )
        .exclude(conversation__state=ConversationState.CLOSED)
        .exclude(conversation__sync_state=SyncState.DELETED_REMOTELY)
        .select_related("conversation")
        .first()
    )
    if holder is None:
        return None
    conversation_link(customer=customer, conversation=holder.conversation)
    return holder.conversation


def _create(customer: Customer, user) -> Conversation:
    number = CustomerConversation.objects.filter(customer=customer).count() + 1
    conversation = conversation_create(
        unique_name=f"{UNIQUE_NAME_PREFIX}{customer.local_id}-{number}",
        friendly_name=customer.name or f"Customer #{customer.pk}",
        # The customer id finds who it is (the row holds the number): nothing personal on Twilio.
        attributes={"clienteling_customer_id": customer.pk},
        user=user,
    )
    conversation_link(customer=customer, conversation=conversation)
    participant_add(
        conversation=conversation,
        address=customer.address,
        proxy_address=customer.sender.address,
        role=ParticipantRole.CUSTOMER,
        attributes=json.dumps({"role": "customer"}),
        user=user,
    )
    return conversation


def advisor_participant_ensure(*, customer: Customer, conversation: Conversation, user=None) -> Participant | None:
    """The owning advisor as a chat participant (identity = username); nothing when unassigned or present."""
    if customer.advisor is None:
        return None
    identity = customer.advisor.get_username()
    present = (
        Participant.objects.filter(conversation=conversation, identity=identity)
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .first()
    )
    if present is not None:
        return present
    return participant_add(
        conversation=conversation,
        identity=identity,
        role=ParticipantRole.AGENT,  # the console's word for staff in a conversation
        attributes=json.dumps({"role": "advisor"}),
        user=user,
    )


def conversation_timer_warnings() -> list[str]:
    """The account's default timers that would close or idle a long-lived conversation (issue 17)."""
    return timer_warnings(AccountConfiguration.current())
