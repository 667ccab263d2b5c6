"""Rows that make the admin home page's attention items and charts show something."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversations_ops.models import (
    Conversation,
    DeliveryReceipt,
    Message,
    Pairing,
    SyncOperation,
    Template,
    TemplateStatusChange,
    WebhookEvent,
)
from tests.conftest import make_sid

INDEX = reverse("admin:index")


class Rows:
    """Makes rows of each kind the page counts, with distinct SIDs."""

    def __init__(self):
        self.serial = 100

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def conversation(self, **fields) -> Conversation:
        fields.setdefault("sync_state", "synced")
        return Conversation.objects.create(sid=make_sid("CH", self._next()), **fields)

    def message(self, *, conversation=None, **fields) -> Message:
        conversation = conversation or self.conversation()
        fields.setdefault("date_created", timezone.now())
        return Message.objects.create(
            conversation=conversation,
            sid=make_sid("IM", self._next()),
            body="Hi",
            sync_state=fields.pop("sync_state", "synced"),
            **fields,
        )

    def failed_operations(self, n=1, *, code=50416, status=400):
        target = self.conversation()
        kind = ContentType.objects.get_for_model(target)
        for _ in range(n):
            SyncOperation.objects.create(
                content_type=kind,
                object_id=target.pk,
                operation="conversation.create",
                state="failed",
                last_error_code=code,
                last_error_status=status,
            )

    def receipts(self, n=1, *, status="failed", error_code=63016, date_updated=None, message=None):
        message = message or self.message()
        for _ in range(n):
            DeliveryReceipt.objects.create(
                message=message,
                sid=make_sid("DY", self._next()),
                status=status,
                error_code=error_code,
                sync_state="synced",
                date_updated=date_updated or timezone.now() - timedelta(hours=1),
            )

    def pairing(self, *, state, sender, **fields) -> Pairing:
        invite = Template.objects.get_or_create(
            sid=make_sid("HX", 1), defaults={"friendly_name": "courier_invite", "approval_status": "approved"}
        )[0]
        return Pairing.objects.create(
            sender=sender,
            customer_address="whatsapp:+15017122661",
            courier_address="whatsapp:+15017122662",
            invite_template=invite,
            connected_template=invite,
            state=state,
            **fields,
        )

    def webhook_events(self, n=1, *, state="failed", age=timedelta(hours=1)):
        for _ in range(n):
            event = WebhookEvent.objects.create(
                source="conversations",
                event_type="onSomethingNew",
                dedup_key=f"e:{self._next()}",
                processing_state=state,
            )
            # received_at is auto_now_add: move it back with an UPDATE.
            WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - age)

    def template_alert(self, *, acknowledged=False) -> TemplateStatusChange:
        template = Template.objects.create(
            sid=make_sid("HX", self._next()), friendly_name="courier_eta", approval_status="paused"
        )
        return TemplateStatusChange.objects.create(
            template=template,
            old_status="approved",
            new_status="paused",
            seen_at=timezone.now(),
            in_use=True,
            alert=True,
            acknowledged_at=timezone.now() if acknowledged else None,
        )


@pytest.fixture
def rows(db):
    return Rows()


@pytest.fixture
def staff_client(db):
    """A client for a staff member with only the view permissions given: `staff_client(["message", ...])`."""
    made = []

    def login(models: list[str]) -> Client:
        made.append(models)
        user = User.objects.create_user(f"viewer{len(made)}", password="x", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="conversations_ops", codename__in=[f"view_{m}" for m in models]
            )
        )
        client = Client()
        client.force_login(user)
        return client

    return login


def page(client, **params) -> str:
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return response.content.decode()
