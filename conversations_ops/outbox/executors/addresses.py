"""Address configurations: which business addresses auto-create conversations."""

from conversations_ops.mirror import mapping as mirror
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.records import AddressAutoCreation

from .base import Outcome, deleted_on_twilio, fetched_or_none, or_none


def _auto_creation(row) -> AddressAutoCreation:
    return AddressAutoCreation(
        enabled=row.auto_creation_enabled,
        type=or_none(row.auto_creation_type),
        conversation_service_sid=or_none(row.auto_creation_conversation_service_sid),
        webhook_url=or_none(row.auto_creation_webhook_url),
        webhook_method=or_none(row.auto_creation_webhook_method),
        webhook_filters=or_none(list(row.auto_creation_webhook_filters or [])),
        studio_flow_sid=or_none(row.auto_creation_studio_flow_sid),
        studio_retry_count=row.auto_creation_studio_retry_count,
    )


def _push(row, sid: str):
    return gateway.address_configuration_update(
        sid=sid, friendly_name=row.friendly_name, auto_creation=_auto_creation(row)
    )


def create(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The address configuration was deleted before it reached Twilio.")
    # One configuration per address on Twilio: after a lost answer, or when
    # Twilio says it exists, take that one and give it this row's settings.
    if op.outcome_unknown:
        remote = _adopt(row)
        if remote is not None:
            return Outcome(remote=remote, apply=mirror.apply_address_configuration)
    try:
        remote = gateway.address_configuration_create(
            type=row.type,
            address=row.address,
            friendly_name=or_none(row.friendly_name),
            auto_creation=_auto_creation(row),
            address_country=or_none(row.address_country),
        )
    except GatewayError as error:
        remote = _adopt(row) if error.status == 409 else None
        if remote is None:
            raise
    return Outcome(remote=remote, apply=mirror.apply_address_configuration)


def _adopt(row):
    existing = fetched_or_none(gateway.address_configuration_fetch, sid=row.address)
    return None if existing is None else _push(row, existing.sid)


def update(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The address configuration was deleted; nothing to update.")
    return Outcome(remote=_push(row, row.sid or row.address), apply=mirror.apply_address_configuration)


def delete(op, row) -> Outcome:
    sid = (row.sid if row is not None else "") or op.payload.get("sid", "")
    return deleted_on_twilio(gateway.address_configuration_delete, sid=sid) if sid else Outcome(delete_row=True)
