"""Rows that make /health/ pass or fail, built directly (no worker, no Twilio)."""

import socket
from datetime import timedelta
from itertools import count

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conversations_ops.models import (
    Conversation,
    OperationState,
    ProcessingState,
    SyncOperation,
    WebhookEvent,
)

CUSTOMER_NUMBER = "+15017122661"
_keys = count(1)


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def make_operation(*, state=OperationState.PENDING, due=None, **fields) -> SyncOperation:
    """An outbox row; `due` sets next_attempt_at (now by default)."""
    conversation = Conversation.objects.create(friendly_name="health check")
    return SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=conversation.pk,
        operation="conversation.create",
        state=state,
        next_attempt_at=due or timezone.now(),
        **fields,
    )


def make_event(*, source="conversations", state=ProcessingState.PENDING, received=None) -> WebhookEvent:
    """A stored webhook event carrying a customer's number; `received` backdates it."""
    event = WebhookEvent.objects.create(
        source=source,
        event_type="onMessageAdded",
        dedup_key=f"health-{next(_keys)}",
        params=[["Author", f"whatsapp:{CUSTOMER_NUMBER}"], ["Body", "Call me on " + CUSTOMER_NUMBER]],
        processing_state=state,
    )
    if received is not None:
        WebhookEvent.objects.filter(pk=event.pk).update(received_at=received)
        event.refresh_from_db()
    return event


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
