"""Plain records the gateway returns: what Twilio said, without the SDK's objects.

Nothing here imports twilio; `from_sdk` only reads attributes, so tests can
build records by hand and services never hold an SDK instance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _json_text(value: Any) -> str:
    """Twilio returns attributes as a JSON string; older payloads may hold an object."""
    if value is None:
        return "{}"
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class AddressAutoCreation:
    """The `AutoCreation.*` group of an Address Configuration, used both ways."""

    enabled: bool | None = None
    type: str | None = None
    conversation_service_sid: str | None = None
    webhook_url: str | None = None
    webhook_method: str | None = None
    webhook_filters: list[str] | None = None
    studio_flow_sid: str | None = None
    studio_retry_count: int | None = None

    @classmethod
    def from_payload(cls, payload: dict | None) -> AddressAutoCreation:
        payload = payload or {}
        method = payload.get("webhook_method")
        return cls(
            enabled=payload.get("enabled"),
            type=payload.get("type"),
            conversation_service_sid=payload.get("conversation_service_sid"),
            webhook_url=payload.get("webhook_url"),
            # Twilio answers "POST" but only accepts "post" in requests.
            webhook_method=method.lower() if method else None,
            webhook_filters=payload.get("webhook_filters"),
            studio_flow_sid=payload.get("studio_flow_sid"),
            studio_retry_count=payload.get("studio_retry_count"),
        )


@dataclass(frozen=True)
class RemoteAddressConfiguration:
    sid: str
    type: str
    address: str
    friendly_name: str | None
    auto_creation: AddressAutoCreation
    address_country: str | None
    date_created: datetime | None
    date_updated: datetime | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteAddressConfiguration:
        return cls(
            sid=obj.sid,
            type=obj.type,
            address=obj.address,
            friendly_name=obj.friendly_name,
            auto_creation=AddressAutoCreation.from_payload(obj.auto_creation),
            address_country=obj.address_country,
            date_created=obj.date_created,
            date_updated=obj.date_updated,
        )


@dataclass(frozen=True)
class RemoteConversation:
    sid: str
    unique_name: str | None
    friendly_name: str | None
    attributes: str
    state: str | None
    chat_service_sid: str | None
    messaging_service_sid: str | None
    date_created: datetime | None
    date_updated: datetime | None
    date_inactive: str | None = None
    date_closed: str | None = None

    @classmethod
    def from_sdk(cls, obj) -> RemoteConversation:
        timers = obj.timers or {}
        return cls(
            sid=obj.sid,
            unique_name=obj.unique_name,
            friendly_name=obj.friendly_name,
            attributes=_json_text(obj.attributes),
            state=obj.state,
            chat_service_sid=obj.chat_service_sid,
            messaging_service_sid=obj.messaging_service_sid,
            date_created=obj.date_created,
            date_updated=obj.date_updated,
            date_inactive=timers.get("date_inactive"),
            date_closed=timers.get("date_closed"),
        )


@dataclass(frozen=True)
class RemoteParticipant:
    sid: str
    conversation_sid: str
    identity: str | None
    attributes: str
    binding_type: str | None
    binding_address: str | None
    binding_proxy_address: str | None
    binding_projected_address: str | None
    role_sid: str | None
    last_read_message_index: int | None
    last_read_timestamp: str | None
    date_created: datetime | None
    date_updated: datetime | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteParticipant:
        binding = obj.messaging_binding or {}
        return cls(
            sid=obj.sid,
            conversation_sid=obj.conversation_sid,
            identity=obj.identity,
            attributes=_json_text(obj.attributes),
            binding_type=binding.get("type"),
            binding_address=binding.get("address"),
            binding_proxy_address=binding.get("proxy_address"),
            binding_projected_address=binding.get("projected_address"),
            role_sid=obj.role_sid,
            last_read_message_index=obj.last_read_message_index,
            last_read_timestamp=obj.last_read_timestamp,
            date_created=obj.date_created,
            date_updated=obj.date_updated,
        )


@dataclass(frozen=True)
class RemoteParticipantConversation:
    """One conversation an address (or identity) takes part in."""

    conversation_sid: str
    conversation_unique_name: str | None
    conversation_friendly_name: str | None
    conversation_state: str | None
    conversation_attributes: str
    conversation_date_created: datetime | None
    participant_sid: str | None
    binding_address: str | None
    binding_proxy_address: str | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteParticipantConversation:
        binding = obj.participant_messaging_binding or {}
        return cls(
            conversation_sid=obj.conversation_sid,
            conversation_unique_name=obj.conversation_unique_name,
            conversation_friendly_name=obj.conversation_friendly_name,
            conversation_state=obj.conversation_state,
            conversation_attributes=_json_text(obj.conversation_attributes),
            conversation_date_created=obj.conversation_date_created,
            participant_sid=obj.participant_sid,
            binding_address=binding.get("address"),
            binding_proxy_address=binding.get("proxy_address"),
        )


@dataclass(frozen=True)
class RemoteMessage:
    sid: str
    conversation_sid: str
    index: int | None
    author: str | None
    body: str | None
    media: list[dict] | None
    attributes: str
    participant_sid: str | None
    content_sid: str | None
    delivery: dict | None
    date_created: datetime | None
    date_updated: datetime | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteMessage:
        return cls(
            sid=obj.sid,
            conversation_sid=obj.conversation_sid,
            index=obj.index,
            author=obj.author,
            body=obj.body,
            media=obj.media,
            attributes=_json_text(obj.attributes),
            participant_sid=obj.participant_sid,
            content_sid=obj.content_sid,
            delivery=obj.delivery,
            date_created=obj.date_created,
            date_updated=obj.date_updated,
        )


@dataclass(frozen=True)
class RemoteReceipt:
    sid: str
    conversation_sid: str
    message_sid: str
    participant_sid: str | None
    channel_message_sid: str | None
    status: str | None
    error_code: int | None
    date_created: datetime | None
    date_updated: datetime | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteReceipt:
        return cls(
            sid=obj.sid,
            conversation_sid=obj.conversation_sid,
            message_sid=obj.message_sid,
            participant_sid=obj.participant_sid,
            channel_message_sid=obj.channel_message_sid,
            status=obj.status,
            error_code=obj.error_code,
            date_created=obj.date_created,
            date_updated=obj.date_updated,
        )


@dataclass(frozen=True)
class RemoteConversationWebhook:
    sid: str
    conversation_sid: str
    target: str | None
    url: str | None
    method: str | None
    filters: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    flow_sid: str | None = None
    replay_after: int | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None

    @classmethod
    def from_sdk(cls, obj) -> RemoteConversationWebhook:
        config = obj.configuration or {}
        method = config.get("method")
        return cls(
            sid=obj.sid,
            conversation_sid=obj.conversation_sid,
            target=obj.target,
            url=config.get("url") or obj.url,
            method=method.lower() if method else None,
            filters=list(config.get("filters") or []),
            triggers=list(config.get("triggers") or []),
            flow_sid=config.get("flow_sid"),
            replay_after=config.get("replay_after"),
            date_created=obj.date_created,
            date_updated=obj.date_updated,
        )


@dataclass(frozen=True)
class RemoteAccountWebhooks:
    method: str | None
    filters: list[str]
    pre_webhook_url: str | None
    post_webhook_url: str | None
    target: str | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteAccountWebhooks:
        return cls(
            method=obj.method,
            filters=list(obj.filters or []),
            pre_webhook_url=obj.pre_webhook_url,
            post_webhook_url=obj.post_webhook_url,
            target=obj.target,
        )


@dataclass(frozen=True)
class RemoteAccountConfiguration:
    """/v1/Configuration: the account's Conversations defaults (timers as ISO-8601 strings or None)."""

    default_chat_service_sid: str | None
    default_messaging_service_sid: str | None
    default_inactive_timer: str | None
    default_closed_timer: str | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteAccountConfiguration:
        return cls(
            default_chat_service_sid=obj.default_chat_service_sid,
            default_messaging_service_sid=obj.default_messaging_service_sid,
            default_inactive_timer=obj.default_inactive_timer or None,
            default_closed_timer=obj.default_closed_timer or None,
        )


@dataclass(frozen=True)
class RemoteApproval:
    """WhatsApp approval of a Content template; status/category are free strings."""

    name: str | None
    category: str | None
    status: str | None
    rejection_reason: str | None
    allow_category_change: bool | None
    content_type: str | None

    @classmethod
    def from_payload(cls, payload: dict | None) -> RemoteApproval | None:
        if not payload:
            return None
        return cls(
            name=payload.get("name"),
            category=payload.get("category"),
            status=payload.get("status"),
            rejection_reason=payload.get("rejection_reason"),
            allow_category_change=payload.get("allow_category_change"),
            content_type=payload.get("content_type"),
        )


@dataclass(frozen=True)
class RemoteContent:
    sid: str
    friendly_name: str | None
    language: str | None
    variables: dict
    types: dict
    approval: RemoteApproval | None
    date_created: datetime | None
    date_updated: datetime | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteContent:
        # The spec's ContentAndApprovals examples carry the WhatsApp approval
        # flat in `approval_requests`; accept a {"whatsapp": {...}} nesting too.
        approval = getattr(obj, "approval_requests", None) or {}
        approval = approval.get("whatsapp", approval)
        return cls(
            sid=obj.sid,
            friendly_name=obj.friendly_name,
            language=obj.language,
            variables=dict(obj.variables or {}),
            types=dict(obj.types or {}),
            approval=RemoteApproval.from_payload(approval),
            date_created=obj.date_created,
            date_updated=obj.date_updated,
        )


@dataclass(frozen=True)
class RemotePhoneNumber:
    """One of the account's phone numbers (Api v2010 IncomingPhoneNumbers)."""

    sid: str
    phone_number: str
    friendly_name: str | None
    sms_capable: bool

    @classmethod
    def from_sdk(cls, obj) -> RemotePhoneNumber:
        capabilities = obj.capabilities or {}
        # The SDK keeps the JSON as it came: Twilio answers lower-case keys ("sms").
        sms = capabilities.get("sms", capabilities.get("SMS")) if isinstance(capabilities, dict) else None
        return cls(sid=obj.sid, phone_number=obj.phone_number, friendly_name=obj.friendly_name, sms_capable=bool(sms))


@dataclass(frozen=True)
class RemoteSender:
    """One of the account's WhatsApp senders (Messaging v2 Channels Senders)."""

    sid: str
    sender_id: str
    status: str | None
    profile_name: str | None

    @property
    def online(self) -> bool:
        """Only an ONLINE sender sends and can take an address configuration."""
        return self.status == "ONLINE"

    @classmethod
    def from_sdk(cls, obj) -> RemoteSender:
        profile = obj.profile if isinstance(obj.profile, dict) else {}
        return cls(sid=obj.sid, sender_id=obj.sender_id, status=obj.status, profile_name=profile.get("name"))


@dataclass(frozen=True)
class RemoteStudioFlow:
    """One of the account's Studio flows (Studio v2 Flows): what a studio address configuration names."""

    sid: str
    friendly_name: str | None
    status: str | None  # "draft" | "published"
    revision: int | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteStudioFlow:
        return cls(sid=obj.sid, friendly_name=obj.friendly_name, status=obj.status, revision=obj.revision)


@dataclass(frozen=True)
class RemoteConversationService:
    """One of the account's Conversation Services (Conversations v1 Services)."""

    sid: str
    friendly_name: str | None

    @classmethod
    def from_sdk(cls, obj) -> RemoteConversationService:
        return cls(sid=obj.sid, friendly_name=obj.friendly_name)


@dataclass(frozen=True)
class RemotePage:
    """One page of a list: its records and where the next page is (None on the last).

    A pull stores `next_page_url` after each committed page, so an interrupted
    pull asks for exactly that page again instead of starting over.
    """

    records: list
    next_page_url: str | None
