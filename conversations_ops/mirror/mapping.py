"""Copying what Twilio said (twilio_records) onto mirror rows.

Shared by the push runner (after a create or update) and the pull, so a
field is mapped one way only. Functions set fields and `sync_state`; the
caller saves.
"""

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conversations_ops.models import SyncState


def _synced(row, remote_sid: str, seen_at=None) -> None:
    now = timezone.now()
    row.sid = remote_sid
    row.sync_state = SyncState.SYNCED
    row.last_synced_at = now
    row.last_seen_at = seen_at or now
    row.last_sync_error = ""
    row.last_sync_error_code = None


def _when(value):
    """Twilio timers come as strings; record dates as datetimes."""
    return parse_datetime(value) if isinstance(value, str) else value


def apply_address_configuration(row, remote, *, seen_at=None) -> None:
    auto = remote.auto_creation
    row.type, row.address = remote.type, remote.address
    row.friendly_name = remote.friendly_name or ""
    row.auto_creation_enabled = bool(auto.enabled)
    row.auto_creation_type = auto.type or ""
    row.auto_creation_conversation_service_sid = auto.conversation_service_sid or ""
    row.auto_creation_webhook_url = auto.webhook_url or ""
    row.auto_creation_webhook_method = auto.webhook_method or ""
    row.auto_creation_webhook_filters = list(auto.webhook_filters or [])
    row.auto_creation_studio_flow_sid = auto.studio_flow_sid or ""
    row.auto_creation_studio_retry_count = auto.studio_retry_count
    row.address_country = remote.address_country or ""
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)


def apply_conversation(row, remote, *, seen_at=None) -> None:
    row.unique_name = remote.unique_name or ""
    row.friendly_name = remote.friendly_name or ""
    row.attributes = remote.attributes or "{}"
    row.state = remote.state or row.state
    row.chat_service_sid = remote.chat_service_sid or ""
    row.messaging_service_sid = remote.messaging_service_sid or ""
    row.date_inactive, row.date_closed = _when(remote.date_inactive), _when(remote.date_closed)
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)


def apply_participant(row, remote, *, seen_at=None) -> None:
    row.identity = remote.identity or ""
    row.attributes = remote.attributes or "{}"
    row.messaging_binding_type = (remote.binding_type or ("chat" if remote.identity else "")).lower()
    row.messaging_binding_address = remote.binding_address or ""
    row.messaging_binding_proxy_address = remote.binding_proxy_address or ""
    row.messaging_binding_projected_address = remote.binding_projected_address or ""
    row.role_sid = remote.role_sid or ""
    row.last_read_message_index = remote.last_read_message_index
    row.last_read_timestamp = _when(remote.last_read_timestamp)
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)


def apply_message(row, remote, *, seen_at=None) -> None:
    row.index = remote.index
    row.author = remote.author or ""
    row.body = remote.body or ""
    row.media = remote.media
    row.attributes = remote.attributes or "{}"
    row.participant_sid = remote.participant_sid or ""
    row.content_sid = remote.content_sid or row.content_sid
    row.delivery = remote.delivery
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)


def apply_receipt(row, remote, *, seen_at=None) -> None:
    row.participant_sid = remote.participant_sid or ""
    row.channel_message_sid = remote.channel_message_sid or ""
    row.status = remote.status or row.status
    row.error_code = remote.error_code or None
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)


def apply_conversation_webhook(row, remote, *, seen_at=None) -> None:
    row.target = remote.target or row.target
    row.url = remote.url or ""
    row.method = remote.method or ""
    row.filters, row.triggers = list(remote.filters), list(remote.triggers)
    row.flow_sid = remote.flow_sid or ""
    row.replay_after = remote.replay_after
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)


def apply_template(row, remote, *, seen_at=None) -> None:
    approval = remote.approval
    row.friendly_name = remote.friendly_name or ""
    row.language = remote.language or row.language
    row.variables, row.types = dict(remote.variables), dict(remote.types)
    row.approval_name = (approval.name if approval else "") or ""
    row.approval_category = (approval.category if approval else "") or ""
    row.approval_status = (approval.status if approval else "") or ""
    row.approval_rejection_reason = (approval.rejection_reason if approval else "") or ""
    row.approval_allow_category_change = approval.allow_category_change if approval else None
    row.date_created, row.date_updated = remote.date_created, remote.date_updated
    _synced(row, remote.sid, seen_at)
