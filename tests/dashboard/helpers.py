"""The admin home page: rows of each kind it counts, and its attention items as parsed."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
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
from tests.dashboard.html_tree import parse
from tests.helpers.ids import make_sid

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


def page(client, **params) -> str:
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return response.content.decode()


ALL_VIEWS = [
    "syncoperation",
    "addressconfiguration",
    "conversation",
    "participant",
    "conversationwebhook",
    "message",
    "deliveryreceipt",
    "templatestatuschange",
    "template",
    "pairing",
    "webhookevent",
]


def items(client) -> dict:
    """{key: (count, link, details)} of the attention items shown."""
    shown = {}
    for li in panel(client).find_all("li", cls="attention-item"):
        link = li.own_children("a")
        details = [d.text for d in li.find_all("li")]
        shown[li.attrs["id"].removeprefix("attention-")] = (
            int(li.find("strong", cls="attention-count").text),
            link[0].attrs["href"] if link else None,
            details,
        )
    return shown


def panel(client, **params):
    root = parse(page(client, **params))
    found = root.find("div", id="needs-attention")
    assert found is not None, "the panel is on the page"
    return found
