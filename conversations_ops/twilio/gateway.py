"""The only module that talks to Twilio (`grep -r twilio.rest` finds this file).

Every function is keyword-only, returns records from `twilio/records.py` and
raises `GatewayError` for anything Twilio or the network refused. Callers
write `gateway.conversation_create(...)`; retries, pacing and bookkeeping
belong to the outbox (outbox/), not here.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from conversations_ops.twilio.records import (
    AddressAutoCreation,
    RemoteAccountConfiguration,
    RemoteAccountWebhooks,
    RemoteAddressConfiguration,
    RemoteApproval,
    RemoteContent,
    RemoteConversation,
    RemoteConversationService,
    RemoteConversationWebhook,
    RemoteMessage,
    RemotePage,
    RemoteParticipant,
    RemoteParticipantConversation,
    RemotePhoneNumber,
    RemoteReceipt,
    RemoteSender,
    RemoteStudioFlow,
)

# Twilio's hosts and the first path segment they get under TWILIO_API_BASE_URL.
PRODUCT_HOSTS = {
    "https://conversations.twilio.com": "conversations",
    "https://content.twilio.com": "content",
    # The account's numbers (Api v2010) and WhatsApp senders (Messaging v2).
    "https://messaging.twilio.com": "messaging",
    # Reached with plain `requests` (no SDK support): Media Content Service
    # uploads and the media of Programmable Messaging messages (MediaUrlN).
    "https://mcs.us1.twilio.com": "mcs",
    "https://api.twilio.com": "api",
    # The account's Studio flows (Studio v2), offered by the address configuration form.
    "https://studio.twilio.com": "studio",
}
MCS_BASE_URL = "https://mcs.us1.twilio.com/v1"
# WhatsApp takes one media item of at most 16 MB per message; more is refused
# before it fills the worker's memory.
MAX_MEDIA_BYTES = 16 * 1024 * 1024
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class GatewayError(Exception):
    """Twilio (or the way to it) refused a call.

    `status` is the HTTP status, None when no answer arrived (`kind` says
    "timeout" or "connection"); `code` is Twilio's error code when it gave one.
    """

    def __init__(self, *, status, code, message, more_info="", kind="http", retry_after=None):
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info or (f"https://www.twilio.com/docs/errors/{code}" if code else "")
        self.kind = kind
        self.retry_after = retry_after
        super().__init__(f"[{status or kind}{f' / {code}' if code else ''}] {message}")

    @property
    def retryable(self) -> bool:
        """429, 5xx and no-answer are worth another try; other 4xx are not, nor a URL the
        console refused to fetch (kind "refused")."""
        if self.kind == "refused":
            return False
        return self.status is None or self.status in RETRYABLE_STATUSES

    @property
    def ambiguous(self) -> bool:
        """The request may have been carried out although we got no success.

        Twilio never processes a 429; a 5xx or a lost answer may hide a
        completed create, so the caller looks before creating again.
        """
        return self.kind in ("timeout", "connection") or (self.status or 0) >= 500


def retry_after_seconds(headers) -> float | None:
    """Twilio's Retry-After in seconds; the HTTP-date form is not used by Twilio."""
    value = (headers or {}).get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _routed_url(url: str, base_url: str) -> str:
    """`https://<product>.twilio.com/X` -> `{base_url}/<product>/X`; other URLs (and every URL
    when there is no base) unchanged."""
    if not base_url:
        return url
    for host, product in PRODUCT_HOSTS.items():
        if url.startswith(host + "/"):
            return f"{base_url}/{product}{url[len(host) :]}"
    return url


class _RoutingHttpClient(TwilioHttpClient):
    """Sends every call, pagination links included, to TWILIO_API_BASE_URL.

    Also remembers the last Retry-After header, which TwilioRestException drops.
    """

    def __init__(self, *, base_url: str, timeout: float):
        super().__init__(timeout=timeout)
        self.base_url = base_url
        self.last_retry_after: float | None = None

    def route(self, url: str) -> str:
        return _routed_url(url, self.base_url)

    def request(self, method, url, *args, **kwargs):
        self.last_retry_after = None
        response = super().request(method, self.route(url), *args, **kwargs)
        self.last_retry_after = retry_after_seconds(response.headers)
        return response


# One client per thread: the HTTP session is not shared across threads, and
# the client is rebuilt when the settings it was built from change.
_local = threading.local()


def _client() -> Client:
    key = (
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
        settings.TWILIO_HTTP_TIMEOUT,
    )
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != key:
        http = _RoutingHttpClient(base_url=settings.TWILIO_API_BASE_URL, timeout=settings.TWILIO_HTTP_TIMEOUT)
        cached = (key, Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http))
        _local.client = cached
    return cached[1]


def _twilio_message(msg: str) -> str:
    # twilio-python prefixes "Unable to create record: "; staff need Twilio's words.
    return msg.split(": ", 1)[1] if msg.startswith("Unable to ") and ": " in msg else msg


@contextmanager
def _translated_errors():
    try:
        yield
    except TwilioServiceException as exc:
        raise GatewayError(status=exc.status, code=exc.code, message=exc.detail or exc.title) from exc
    except TwilioRestException as exc:
        raise GatewayError(
            status=exc.status,
            code=exc.code,
            message=_twilio_message(exc.msg),
            retry_after=_client().http_client.last_retry_after,
        ) from exc
    except TwilioException as exc:
        # A failed list page arrives as ("Unable to fetch page", response).
        raise _page_error(exc) from exc
    except requests.Timeout as exc:
        message = f"Twilio did not answer within {settings.TWILIO_HTTP_TIMEOUT:g} s."
        raise GatewayError(status=None, code=None, message=message, kind="timeout") from exc
    except requests.ConnectionError as exc:
        message = f"Could not reach Twilio: {exc.__class__.__name__}."
        raise GatewayError(status=None, code=None, message=message, kind="connection") from exc


def _page_error(exc: TwilioException) -> GatewayError:
    response = exc.args[1] if len(exc.args) > 1 else None
    if response is None or not hasattr(response, "status_code"):
        return GatewayError(status=None, code=None, message=str(exc), kind="connection")
    try:
        body = json.loads(response.text)
    except ValueError:
        body = {}
    return GatewayError(
        status=response.status_code,
        code=body.get("code"),
        message=body.get("message") or str(exc.args[0]),
        more_info=body.get("more_info", ""),
        retry_after=retry_after_seconds(response.headers),
    )


def _given(**kwargs) -> dict[str, Any]:
    """Drops arguments the caller left out, so the SDK does not send them."""
    return {key: value for key, value in kwargs.items() if value is not None}


def _webhook_header(enabled: bool | None) -> dict[str, str]:
    return {} if enabled is None else {"x_twilio_webhook_enabled": "true" if enabled else "false"}


def _delete(context, webhook_enabled: bool | None) -> None:
    """DELETE that keeps X-Twilio-Webhook-Enabled.

    twilio-python 9.13 builds that header for conversation and participant
    deletes and then replaces it with an empty dict, so it never reaches
    Twilio; this makes the very request the SDK would make, header kept.
    """
    headers = {} if webhook_enabled is None else {"X-Twilio-Webhook-Enabled": "true" if webhook_enabled else "false"}
    context._version.delete(method="DELETE", uri=context._uri, headers=headers)


def _stream(resource, record, **kwargs) -> Iterator:
    """Yields records page by page; the SDK follows `meta.next_page_url`."""
    with _translated_errors():
        for item in resource.stream(**_given(**kwargs)):
            yield record.from_sdk(item)


def _page(resource, record, page_url: str | None, **kwargs) -> RemotePage:
    """One list page: the first (with `kwargs` as filters) or exactly `page_url`.

    `page_url` is a `next_page_url` Twilio gave earlier; the routing client
    sends it to TWILIO_API_BASE_URL like every other call.
    """
    with _translated_errors():
        sdk_page = resource.get_page(page_url) if page_url else resource.page(**_given(**kwargs))
        return RemotePage(records=[record.from_sdk(item) for item in sdk_page], next_page_url=sdk_page.next_page_url)


def _conversations():
    return _client().conversations.v1


# Address configurations ---------------------------------------------------


def _auto_creation_kwargs(auto_creation: AddressAutoCreation | None) -> dict[str, Any]:
    if auto_creation is None:
        return {}
    return _given(
        auto_creation_enabled=auto_creation.enabled,
        auto_creation_type=auto_creation.type,
        auto_creation_conversation_service_sid=auto_creation.conversation_service_sid,
        auto_creation_webhook_url=auto_creation.webhook_url,
        auto_creation_webhook_method=auto_creation.webhook_method,
        auto_creation_webhook_filters=auto_creation.webhook_filters,
        auto_creation_studio_flow_sid=auto_creation.studio_flow_sid,
        auto_creation_studio_retry_count=auto_creation.studio_retry_count,
    )


def address_configuration_create(
    *,
    type: str,
    address: str,
    friendly_name: str | None = None,
    auto_creation: AddressAutoCreation | None = None,
    address_country: str | None = None,
) -> RemoteAddressConfiguration:
    with _translated_errors():
        obj = _conversations().address_configurations.create(
            type=type,
            address=address,
            **_given(friendly_name=friendly_name, address_country=address_country),
            **_auto_creation_kwargs(auto_creation),
        )
    return RemoteAddressConfiguration.from_sdk(obj)


def address_configuration_update(
    *,
    sid: str,
    friendly_name: str | None = None,
    auto_creation: AddressAutoCreation | None = None,
) -> RemoteAddressConfiguration:
    with _translated_errors():
        obj = (
            _conversations()
            .address_configurations(sid)
            .update(**_given(friendly_name=friendly_name), **_auto_creation_kwargs(auto_creation))
        )
    return RemoteAddressConfiguration.from_sdk(obj)


def address_configuration_fetch(*, sid: str) -> RemoteAddressConfiguration:
    """`sid` may be the IG sid or the address itself."""
    with _translated_errors():
        return RemoteAddressConfiguration.from_sdk(_conversations().address_configurations(sid).fetch())


def address_configuration_delete(*, sid: str) -> None:
    with _translated_errors():
        _conversations().address_configurations(sid).delete()


def address_configuration_list(*, type: str | None = None, page_size: int = 50) -> Iterator[RemoteAddressConfiguration]:
    return _stream(_conversations().address_configurations, RemoteAddressConfiguration, type=type, page_size=page_size)


def address_configuration_page(
    *,
    type: str | None = None,
    page_size: int = 50,
    page_url: str | None = None,
) -> RemotePage:
    return _page(
        _conversations().address_configurations, RemoteAddressConfiguration, page_url, type=type, page_size=page_size
    )


# The account's own addresses: phone numbers and WhatsApp senders ---------------


def phone_number_list(*, page_size: int = 1000) -> Iterator[RemotePhoneNumber]:
    """The account's phone numbers (Api v2010 IncomingPhoneNumbers): what an SMS address
    configuration may name."""
    numbers = _client().api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).incoming_phone_numbers
    return _stream(numbers, RemotePhoneNumber, page_size=page_size)


def whatsapp_sender_list(*, page_size: int = 1000) -> Iterator[RemoteSender]:
    """The account's WhatsApp senders (Messaging v2 Channels Senders, `Channel=whatsapp`):
    what a WhatsApp address configuration may name."""
    return _stream(_client().messaging.v2.channels_senders, RemoteSender, channel="whatsapp", page_size=page_size)


def studio_flow_list(*, page_size: int = 1000) -> Iterator[RemoteStudioFlow]:
    """The account's Studio flows (Studio v2 Flows): what a studio address configuration may
    name. Read only: flows are made in Twilio's Studio editor, never by the console."""
    return _stream(_client().studio.v2.flows, RemoteStudioFlow, page_size=page_size)


def conversation_service_list(*, page_size: int = 100) -> Iterator[RemoteConversationService]:
    """The account's Conversation Services (Conversations v1 Services), the default one included."""
    return _stream(_conversations().services, RemoteConversationService, page_size=page_size)


# Conversations --------------------------------------------------------------


def conversation_create(
    *,
    unique_name: str | None = None,
    friendly_name: str | None = None,
    attributes: str | None = None,
    state: str | None = None,
    timers_inactive: str | None = None,
    timers_closed: str | None = None,
    messaging_service_sid: str | None = None,
    webhook_enabled: bool | None = None,
) -> RemoteConversation:
    with _translated_errors():
        obj = _conversations().conversations.create(
            **_given(
                unique_name=unique_name,
                friendly_name=friendly_name,
                attributes=attributes,
                state=state,
                timers_inactive=timers_inactive,
                timers_closed=timers_closed,
                messaging_service_sid=messaging_service_sid,
            ),
            **_webhook_header(webhook_enabled),
        )
    return RemoteConversation.from_sdk(obj)


def conversation_update(
    *,
    sid: str,
    unique_name: str | None = None,
    friendly_name: str | None = None,
    attributes: str | None = None,
    state: str | None = None,
    timers_inactive: str | None = None,
    timers_closed: str | None = None,
    messaging_service_sid: str | None = None,
    webhook_enabled: bool | None = None,
) -> RemoteConversation:
    with _translated_errors():
        obj = (
            _conversations()
            .conversations(sid)
            .update(
                **_given(
                    unique_name=unique_name,
                    friendly_name=friendly_name,
                    attributes=attributes,
                    state=state,
                    timers_inactive=timers_inactive,
                    timers_closed=timers_closed,
                    messaging_service_sid=messaging_service_sid,
                ),
                **_webhook_header(webhook_enabled),
            )
        )
    return RemoteConversation.from_sdk(obj)


def conversation_fetch(*, sid: str) -> RemoteConversation:
    """`sid` may be the CH sid or the conversation's unique_name."""
    with _translated_errors():
        return RemoteConversation.from_sdk(_conversations().conversations(sid).fetch())


def conversation_delete(*, sid: str, webhook_enabled: bool | None = None) -> None:
    with _translated_errors():
        _delete(_conversations().conversations(sid), webhook_enabled)


def conversation_list(*, state: str | None = None, page_size: int = 100) -> Iterator[RemoteConversation]:
    return _stream(_conversations().conversations, RemoteConversation, state=state, page_size=page_size)


def conversation_page(*, state: str | None = None, page_size: int = 100, page_url: str | None = None) -> RemotePage:
    return _page(_conversations().conversations, RemoteConversation, page_url, state=state, page_size=page_size)


# Participants ---------------------------------------------------------------


def participant_create(
    *,
    conversation_sid: str,
    identity: str | None = None,
    messaging_binding_address: str | None = None,
    messaging_binding_proxy_address: str | None = None,
    messaging_binding_projected_address: str | None = None,
    attributes: str | None = None,
    role_sid: str | None = None,
    webhook_enabled: bool | None = None,
) -> RemoteParticipant:
    with _translated_errors():
        obj = (
            _conversations()
            .conversations(conversation_sid)
            .participants.create(
                **_given(
                    identity=identity,
                    messaging_binding_address=messaging_binding_address,
                    messaging_binding_proxy_address=messaging_binding_proxy_address,
                    messaging_binding_projected_address=messaging_binding_projected_address,
                    attributes=attributes,
                    role_sid=role_sid,
                ),
                **_webhook_header(webhook_enabled),
            )
        )
    return RemoteParticipant.from_sdk(obj)


def participant_update(
    *,
    conversation_sid: str,
    sid: str,
    attributes: str | None = None,
    role_sid: str | None = None,
    identity: str | None = None,
    messaging_binding_proxy_address: str | None = None,
    messaging_binding_projected_address: str | None = None,
    last_read_message_index: int | None = None,
    webhook_enabled: bool | None = None,
) -> RemoteParticipant:
    with _translated_errors():
        obj = (
            _conversations()
            .conversations(conversation_sid)
            .participants(sid)
            .update(
                **_given(
                    attributes=attributes,
                    role_sid=role_sid,
                    identity=identity,
                    messaging_binding_proxy_address=messaging_binding_proxy_address,
                    messaging_binding_projected_address=messaging_binding_projected_address,
                    last_read_message_index=last_read_message_index,
                ),
                **_webhook_header(webhook_enabled),
            )
        )
    return RemoteParticipant.from_sdk(obj)


def participant_fetch(*, conversation_sid: str, sid: str) -> RemoteParticipant:
    with _translated_errors():
        return RemoteParticipant.from_sdk(_conversations().conversations(conversation_sid).participants(sid).fetch())


def participant_delete(*, conversation_sid: str, sid: str, webhook_enabled: bool | None = None) -> None:
    with _translated_errors():
        _delete(_conversations().conversations(conversation_sid).participants(sid), webhook_enabled)


def participant_list(*, conversation_sid: str, page_size: int = 100) -> Iterator[RemoteParticipant]:
    return _stream(
        _conversations().conversations(conversation_sid).participants, RemoteParticipant, page_size=page_size
    )


def participant_page(*, conversation_sid: str, page_size: int = 100, page_url: str | None = None) -> RemotePage:
    return _page(
        _conversations().conversations(conversation_sid).participants, RemoteParticipant, page_url, page_size=page_size
    )


def participant_conversation_list(
    *,
    address: str | None = None,
    identity: str | None = None,
    page_size: int = 50,
) -> Iterator[RemoteParticipantConversation]:
    """The conversations an address is in: how a 50416 binding conflict is found."""
    return _stream(
        _conversations().participant_conversations,
        RemoteParticipantConversation,
        address=address,
        identity=identity,
        page_size=page_size,
    )


# Messages and receipts ------------------------------------------------------


def message_create(
    *,
    conversation_sid: str,
    author: str | None = None,
    body: str | None = None,
    media_sid: str | None = None,
    content_sid: str | None = None,
    content_variables: dict[str, str] | None = None,
    attributes: str | None = None,
    subject: str | None = None,
    webhook_enabled: bool | None = None,
) -> RemoteMessage:
    # json.dumps quotes apostrophes and quotes correctly; hand-built JSON
    # strings are how template variables break (twilio-node#1082).
    variables = json.dumps(content_variables) if content_variables is not None else None
    with _translated_errors():
        obj = (
            _conversations()
            .conversations(conversation_sid)
            .messages.create(
                **_given(
                    author=author,
                    body=body,
                    media_sid=media_sid,
                    content_sid=content_sid,
                    content_variables=variables,
                    attributes=attributes,
                    subject=subject,
                ),
                **_webhook_header(webhook_enabled),
            )
        )
    return RemoteMessage.from_sdk(obj)


def message_fetch(*, conversation_sid: str, sid: str) -> RemoteMessage:
    with _translated_errors():
        return RemoteMessage.from_sdk(_conversations().conversations(conversation_sid).messages(sid).fetch())


def message_list(*, conversation_sid: str, order: str | None = None, page_size: int = 100) -> Iterator[RemoteMessage]:
    return _stream(
        _conversations().conversations(conversation_sid).messages, RemoteMessage, order=order, page_size=page_size
    )


def message_page(
    *,
    conversation_sid: str,
    order: str | None = None,
    page_size: int = 100,
    page_url: str | None = None,
) -> RemotePage:
    return _page(
        _conversations().conversations(conversation_sid).messages,
        RemoteMessage,
        page_url,
        order=order,
        page_size=page_size,
    )


def receipt_list(*, conversation_sid: str, message_sid: str, page_size: int = 50) -> Iterator[RemoteReceipt]:
    resource = _conversations().conversations(conversation_sid).messages(message_sid).delivery_receipts
    return _stream(resource, RemoteReceipt, page_size=page_size)


# Conversation-scoped webhooks -----------------------------------------------


def conversation_webhook_create(
    *,
    conversation_sid: str,
    target: str,
    url: str | None = None,
    method: str | None = None,
    filters: list[str] | None = None,
    triggers: list[str] | None = None,
    flow_sid: str | None = None,
    replay_after: int | None = None,
) -> RemoteConversationWebhook:
    with _translated_errors():
        obj = (
            _conversations()
            .conversations(conversation_sid)
            .webhooks.create(
                target=target,
                **_given(
                    configuration_url=url,
                    configuration_method=method,
                    configuration_filters=filters,
                    configuration_triggers=triggers,
                    configuration_flow_sid=flow_sid,
                    configuration_replay_after=replay_after,
                ),
            )
        )
    return RemoteConversationWebhook.from_sdk(obj)


def conversation_webhook_delete(*, conversation_sid: str, sid: str) -> None:
    with _translated_errors():
        _conversations().conversations(conversation_sid).webhooks(sid).delete()


def conversation_webhook_list(*, conversation_sid: str) -> Iterator[RemoteConversationWebhook]:
    # Twilio allows at most 5 scoped webhooks, which is also the page size cap.
    return _stream(_conversations().conversations(conversation_sid).webhooks, RemoteConversationWebhook, page_size=5)


# Account-level webhook configuration ----------------------------------------


def account_webhooks_fetch() -> RemoteAccountWebhooks:
    with _translated_errors():
        return RemoteAccountWebhooks.from_sdk(_conversations().configuration.webhooks().fetch())


def account_webhooks_update(
    *,
    method: str | None = None,
    filters: list[str] | None = None,
    pre_webhook_url: str | None = None,
    post_webhook_url: str | None = None,
    target: str | None = None,
) -> RemoteAccountWebhooks:
    with _translated_errors():
        obj = (
            _conversations()
            .configuration.webhooks()
            .update(
                **_given(
                    method=method,
                    filters=filters,
                    pre_webhook_url=pre_webhook_url,
                    post_webhook_url=post_webhook_url,
                    target=target,
                )
            )
        )
    return RemoteAccountWebhooks.from_sdk(obj)


# Account-level Conversations defaults ---------------------------------------


def account_configuration_fetch() -> RemoteAccountConfiguration:
    """/v1/Configuration: the default Conversation Service (the one the short /v1/Conversations
    paths, and so every call above, address) and the default timers new conversations get."""
    with _translated_errors():
        return RemoteAccountConfiguration.from_sdk(_conversations().configuration().fetch())


# Content (WhatsApp templates) -----------------------------------------------


def _content():
    return _client().content.v1


def content_create(
    *,
    language: str,
    types: dict[str, dict],
    friendly_name: str | None = None,
    variables: dict[str, str] | None = None,
) -> RemoteContent:
    request = ContentList.ContentCreateRequest(
        _given(friendly_name=friendly_name, language=language, variables=variables, types=types)
    )
    with _translated_errors():
        return RemoteContent.from_sdk(_content().contents.create(request))


def content_fetch(*, sid: str) -> RemoteContent:
    with _translated_errors():
        return RemoteContent.from_sdk(_content().contents(sid).fetch())


def content_delete(*, sid: str) -> None:
    with _translated_errors():
        _content().contents(sid).delete()


def content_list(*, page_size: int = 500) -> Iterator[RemoteContent]:
    return _stream(_content().contents, RemoteContent, page_size=page_size)


def content_and_approvals_list(*, page_size: int = 500) -> Iterator[RemoteContent]:
    """Content with each template's WhatsApp approval: the template pull."""
    return _stream(_content().content_and_approvals, RemoteContent, page_size=page_size)


def content_and_approvals_page(*, page_size: int = 500, page_url: str | None = None) -> RemotePage:
    return _page(_content().content_and_approvals, RemoteContent, page_url, page_size=page_size)


def content_approval_fetch(*, sid: str) -> RemoteApproval | None:
    with _translated_errors():
        obj = _content().contents(sid).approval_fetch().fetch()
    return RemoteApproval.from_payload(obj.whatsapp)


def content_approval_create(*, sid: str, name: str, category: str) -> RemoteApproval:
    """Submits the template to WhatsApp for approval."""
    request = ApprovalCreateList.ContentApprovalRequest({"name": name, "category": category})
    with _translated_errors():
        obj = _content().contents(sid).approval_create.create(request)
    return RemoteApproval.from_payload(
        {
            "name": obj.name,
            "category": obj.category,
            "status": obj.status,
            "rejection_reason": obj.rejection_reason,
            "allow_category_change": obj.allow_category_change,
            "content_type": obj.content_type,
        }
    )


# Media (Media Content Service and message media) ------------------------------
#
# Neither is in twilio-python nor in Twilio's OpenAPI descriptions: plain
# `requests` with the same credentials, routing and timeout as the SDK calls.


def _credentials_for(url: str) -> tuple[str, str] | None:
    """Twilio's credentials go to Twilio (or the configured stand-in) only, never to
    whatever host a URL names; `requests` drops them itself on a redirect elsewhere."""
    base = settings.TWILIO_API_BASE_URL
    parts = urlsplit(url)
    host = parts.hostname or ""
    if (base and url.startswith(base + "/")) or (
        parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com"))
    ):
        return (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    return None


@contextmanager
def _translated_request_errors():
    try:
        yield
    except requests.Timeout as exc:
        message = f"Twilio did not answer within {settings.TWILIO_HTTP_TIMEOUT:g} s."
        raise GatewayError(status=None, code=None, message=message, kind="timeout") from exc
    except requests.RequestException as exc:  # refused, reset, or cut off mid-download
        message = f"Could not reach Twilio: {exc.__class__.__name__}."
        raise GatewayError(status=None, code=None, message=message, kind="connection") from exc


def _response_error(response) -> GatewayError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    return GatewayError(
        status=response.status_code,
        code=body.get("code"),
        message=body.get("message") or f"HTTP {response.status_code} from {urlsplit(response.url).path}",
        more_info=body.get("more_info", ""),
        retry_after=retry_after_seconds(response.headers),
    )


def _header_filename(filename: str) -> str:
    """A file name that cannot break the header it travels in."""
    return "".join(ch for ch in filename if ch.isascii() and ch.isprintable() and ch != '"' and ch != "\\") or "media"


def media_upload(*, chat_service_sid: str, content_type: str, filename: str, data: bytes) -> str:
    """Uploads a file to the Media Content Service; answers its SID (ME...) for
    `message_create(media_sid=...)`. The raw body with its Content-Type, as Twilio
    documents it; the name rides in Content-Disposition."""
    url = _routed_url(f"{MCS_BASE_URL}/Services/{chat_service_sid}/Media", settings.TWILIO_API_BASE_URL)
    headers = {
        "Content-Type": content_type or "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{_header_filename(filename)}"',
    }
    with _translated_request_errors():
        response = requests.post(
            url, data=data, headers=headers, auth=_credentials_for(url), timeout=settings.TWILIO_HTTP_TIMEOUT
        )
    if response.status_code not in (200, 201):
        raise _response_error(response)
    try:
        sid = response.json().get("sid") or ""
    except (ValueError, AttributeError):
        sid = ""
    if not (isinstance(sid, str) and sid.startswith("ME")):
        raise GatewayError(
            status=response.status_code,
            code=None,
            kind="bad_answer",
            message="The Media Content Service answered without a media SID (ME...).",
        )
    return sid


# Where a message's media may be fetched (docs/twilio-reference.md, "Media"). A webhook's
# MediaUrlN is on api.twilio.com (the Media resource, "relative to https://api.twilio.com");
# Twilio answers with the file or a redirect to a short-lived URL on mms.twiliocdn.com, or on
# s3-external-1.amazonaws.com when the account does not enforce HTTP auth on media. Nothing
# else is fetched: not another host, not plain HTTP, not an address inside our network.
MEDIA_HOST_SUFFIXES = (".twilio.com",)
MEDIA_REDIRECT_HOST_SUFFIXES = (".twilio.com", ".twiliocdn.com")
MEDIA_REDIRECT_HOSTS = frozenset({"s3-external-1.amazonaws.com"})
MEDIA_MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _media_refused(message: str) -> GatewayError:
    return GatewayError(status=None, code=None, kind="refused", message=f"Media not fetched: {message}.")


def _internal_address(host: str) -> bool:
    """True when `host` resolves to an address that is not on the public internet (loopback,
    private, link-local such as 169.254.169.254, ...). A name that does not resolve is left to
    the request, which fails to connect the same way."""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in infos)


def _media_url_refusal(url: str, *, redirect: bool = False) -> str:
    """Why the console will not fetch media from `url` ("" when it will). `redirect`: a hop
    Twilio's answer pointed to, which may also be Twilio's media CDN."""
    base = settings.TWILIO_API_BASE_URL
    if base and url.startswith(base + "/"):
        return ""  # the simulator, or the stand-in the operator configured for every call
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != "https":
        return "only HTTPS is fetched"
    if parts.username or parts.password or parts.port not in (None, 443):
        return "the URL names credentials or a port"
    suffixes = MEDIA_REDIRECT_HOST_SUFFIXES if redirect else MEDIA_HOST_SUFFIXES
    if not (host.endswith(suffixes) or (redirect and host in MEDIA_REDIRECT_HOSTS)):
        return f"{host or 'the URL'} is not one of Twilio's media hosts"
    if _internal_address(host):
        return f"{host} resolves to an internal address"
    return ""


def _socket_shutdown(response) -> None:
    """Ends a blocked read from another thread: shutting the socket down wakes a recv() that
    closing the file alone would leave waiting for the server."""
    try:
        sock = response.raw._fp.fp.raw._sock  # urllib3 -> http.client -> socket
        sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass


def _media_read(response, deadline: float) -> bytes:
    """The body, at most MAX_MEDIA_BYTES, before `deadline` (time.monotonic()). Reads take
    what has arrived (read1), so a server that drips a byte at a time (each read well within
    the per-read timeout) meets the deadline between two reads; a watchdog shuts the socket
    at the deadline for one that sends nothing."""
    expired = threading.Event()

    def cut_off():
        expired.set()
        _socket_shutdown(response)

    watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), cut_off)
    watchdog.daemon = True
    watchdog.start()
    data = bytearray()
    try:
        while not expired.is_set():
            chunk = response.raw.read1(64 * 1024, decode_content=True)
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_MEDIA_BYTES:
                raise GatewayError(
                    status=response.status_code,
                    code=None,
                    kind="too_large",
                    message=f"The media is larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MB.",
                )
            if time.monotonic() >= deadline:
                expired.set()
    except GatewayError:
        raise
    except Exception as exc:  # the watchdog shut the socket under the read
        if not expired.is_set():
            raise
        raise _media_timeout() from exc
    finally:
        watchdog.cancel()
    if expired.is_set():
        raise _media_timeout()
    return bytes(data)


def _media_timeout() -> GatewayError:
    seconds = settings.TWILIO_MEDIA_DOWNLOAD_SECONDS
    return GatewayError(
        status=None, code=None, kind="timeout", message=f"The media did not arrive within {seconds:g} s."
    )


def media_download(*, url: str) -> tuple[str, bytes]:
    """Downloads a message's media (a Messaging webhook's MediaUrlN): (content type, bytes).

    Only from Twilio's media hosts over HTTPS (or the simulator): each redirect is checked
    like the first URL (at most MEDIA_MAX_REDIRECTS), the whole download has one deadline
    (TWILIO_MEDIA_DOWNLOAD_SECONDS, not per read) and at most MAX_MEDIA_BYTES are read.
    Raises GatewayError (kind "refused" for a URL it will not fetch, never retried)."""
    deadline = time.monotonic() + settings.TWILIO_MEDIA_DOWNLOAD_SECONDS
    target = _routed_url(url, settings.TWILIO_API_BASE_URL)
    with _translated_request_errors():
        for hop in range(MEDIA_MAX_REDIRECTS + 1):
            refusal = _media_url_refusal(target, redirect=hop > 0)
            if refusal:
                raise _media_refused(refusal)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _media_timeout()
            response = requests.get(
                target,
                auth=_credentials_for(target),
                timeout=min(settings.TWILIO_HTTP_TIMEOUT, remaining),
                stream=True,
                allow_redirects=False,  # each hop is checked here, not followed blindly
            )
            with response:
                if response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                    target = urljoin(target, response.headers["Location"])
                    continue
                if response.status_code != 200:
                    raise _response_error(response)
                data = _media_read(response, deadline)
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
                return content_type or "application/octet-stream", data
    raise _media_refused(f"more than {MEDIA_MAX_REDIRECTS} redirects")
