"""Address configuration pushes: create, update, delete."""

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations_ops import validators as v
from conversations_ops.models import AccountConfiguration, AddressConfiguration, SyncOperation
from conversations_ops.models.account import service_refusal
from conversations_ops.outbox.changes import (
    apply_changes,
    delete_or_queue,
    refuse_create_only,
    save_and_queue,
    save_and_queue_changes,
)

AUTO_CREATION_FIELDS = (
    "auto_creation_enabled",
    "auto_creation_type",
    "auto_creation_conversation_service_sid",
    "auto_creation_webhook_url",
    "auto_creation_webhook_method",
    "auto_creation_webhook_filters",
    "auto_creation_studio_flow_sid",
    "auto_creation_studio_retry_count",
)
# Twilio's update takes the friendly name and auto-creation only.
CREATE_ONLY_FIELDS = ("type", "address", "address_country")
UPDATABLE_FIELDS = ("friendly_name", *AUTO_CREATION_FIELDS, *CREATE_ONLY_FIELDS)


def _refuse_sandbox(row: AddressConfiguration) -> None:
    """The WhatsApp Sandbox number is Twilio's, shared by every account: Twilio refuses an
    address configuration for it (63007), so conversations never auto-create from it. Its
    inbound messages reach the console through the Sandbox's "When a message comes in"
    webhook instead (Sandbox senders)."""
    if row.address == v.WHATSAPP_SANDBOX_ADDRESS:
        raise ValidationError(
            {
                "address": f"{row.address} is Twilio's shared WhatsApp Sandbox number: it cannot have an address "
                "configuration or auto-create conversations. Add it under Sandbox senders instead, and point "
                "the Sandbox's “When a message comes in” URL at the console."
            }
        )


@transaction.atomic
def address_configuration_create(
    *,
    address: str,
    type: str | None = None,
    friendly_name: str = "",
    address_country: str = "",
    user=None,
    **auto_creation,
) -> AddressConfiguration:
    """`auto_creation` takes the model's auto_creation_* fields by name."""
    unknown = set(auto_creation) - set(AUTO_CREATION_FIELDS)
    if unknown:
        raise TypeError(f"address_configuration_create() got unexpected arguments: {', '.join(sorted(unknown))}")
    row = AddressConfiguration(
        address=address,
        type=type or v.channel_for_address(address),
        friendly_name=friendly_name,
        address_country=address_country,
        **auto_creation,
    )
    _refuse_sandbox(row)
    _refuse_other_service(row)
    save_and_queue(row=row, operation="address_configuration.create", user=user)
    return row


@transaction.atomic
def address_configuration_update(
    *,
    address_configuration: AddressConfiguration,
    data: dict,
    user=None,
) -> AddressConfiguration:
    """`data` holds new values by field name; unchanged ones queue nothing."""
    row = address_configuration
    changed = apply_changes(row, data, UPDATABLE_FIELDS)
    refuse_create_only(
        row,
        changed,
        CREATE_ONLY_FIELDS,
        reason="Twilio cannot change this after creation; delete the configuration and create a new one.",
    )
    if not changed:
        return row
    if "auto_creation_conversation_service_sid" in changed:
        _refuse_other_service(row)
    save_and_queue_changes(
        row=row,
        changed=changed,
        create="address_configuration.create",
        update="address_configuration.update",
        user=user,
    )
    return row


def _refuse_other_service(row: AddressConfiguration) -> None:
    """Auto-creation into a Conversation Service other than the account's default is refused:
    the console works in the default service only (models/account.py, docs/architecture.md)."""
    reason = service_refusal(row.auto_creation_conversation_service_sid, AccountConfiguration.current())
    if reason:
        raise ValidationError({"auto_creation_conversation_service_sid": reason})


@transaction.atomic
def address_configuration_delete(*, address_configuration: AddressConfiguration, user=None) -> SyncOperation | None:
    return delete_or_queue(
        row=address_configuration,
        operation="address_configuration.delete",
        payload={"sid": address_configuration.sid},
        user=user,
    )
