"""End to end on the live simulator through the real twilio SDK: create, submit, review, sync, alert."""

import pytest
from django.urls import reverse

from conversations_ops.messaging.template_sync import template_last_synced_at, template_sync_all
from conversations_ops.messaging.templates import template_usable
from conversations_ops.models import Message, Template, TemplateStatusChange
from simulator.models import SimContent
from tests.helpers.ids import make_sid
from tests.helpers.templates import create_from_admin

pytestmark = pytest.mark.slow


def test_create_and_submit_from_the_admin_shows_the_pending_status(simulator, admin_client):
    response = create_from_admin(admin_client)

    assert response.status_code == 200
    template = Template.objects.get()
    sim = SimContent.objects.get(sid=template.sid)
    assert sim.types == {"twilio/text": {"body": "Hi {{1}}, {{2}} is bringing your order."}}
    assert sim.variables == {"1": "Ana", "2": "Robert"}
    assert (sim.approval["name"], sim.approval["category"]) == ("courier_invite", "UTILITY")
    assert template.approval_status == sim.approval["status"] == "received"
    assert template.approval_name == "courier_invite"
    page = response.content.decode()
    assert "Submitted for WhatsApp approval: status received" in page
    assert template_usable(template=template)[0] is False
    assert "waiting for WhatsApp approval" in template_usable(template=template)[1]


def test_approval_through_the_control_api_appears_after_sync(simulator, admin_client, whatsapp_reviewer):
    create_from_admin(admin_client)
    template = Template.objects.get()
    assert template_last_synced_at() is None

    whatsapp_reviewer(template.sid, "approved")
    result = template_sync_all()

    template.refresh_from_db()
    assert template.approval_status == "approved"
    assert template_usable(template=template) == (True, "")
    assert [(c.old_status, c.new_status) for c in result.changes] == [("received", "approved")]
    assert list(template.status_changes.order_by("pk").values_list("old_status", "new_status")) == [
        ("", "received"),
        ("received", "approved"),
    ]
    assert template_last_synced_at() is not None
    # Nothing changed on Twilio: a second sync records nothing new.
    assert template_sync_all().changes == []
    assert template.status_changes.count() == 2


def test_pausing_a_template_in_use_alerts_and_blocks(simulator, admin_client, whatsapp_reviewer, conversation):
    create_from_admin(admin_client)
    template = Template.objects.get()
    whatsapp_reviewer(template.sid, "approved")
    template_sync_all()
    Message.objects.create(conversation=conversation, sid=make_sid("IM", 9), index=0, content_sid=template.sid)

    whatsapp_reviewer(template.sid, "paused")
    result = template_sync_all()

    template.refresh_from_db()
    change = TemplateStatusChange.objects.get(template=template, new_status="paused")
    assert (change.old_status, change.in_use, change.alert, change.acknowledged_at) == ("approved", True, True, None)
    assert result.alerts == [change]
    usable, reason = template_usable(template=template)
    assert usable is False
    assert reason == "Template courier_invite is paused by WhatsApp: pick another approved template"
    # The alert shows on the admin index and the template list until acknowledged.
    for url in (reverse("admin:index"), reverse("admin:conversations_ops_template_changelist")):
        page = admin_client.get(url).content.decode()
        assert "template-alerts" in page and "courier_invite" in page and "paused" in page

    response = admin_client.post(
        reverse("admin:conversations_ops_templatestatuschange_changelist"),
        {"action": "acknowledge", "_selected_action": [change.pk]},
        follow=True,
    )
    assert "1 alert(s) acknowledged." in response.content.decode()
    change.refresh_from_db()
    assert change.acknowledged_by.username == "admin" and change.acknowledged_at is not None
    assert "template-alerts" not in admin_client.get(reverse("admin:index")).content.decode()
    # Still blocked: acknowledging is hearing about it, not approving it.
    assert template_usable(template=Template.objects.get(pk=template.pk))[0] is False


def test_rejection_of_a_template_not_in_use_is_history_without_alert(simulator, admin_client, whatsapp_reviewer):
    create_from_admin(admin_client)
    template = Template.objects.get()

    whatsapp_reviewer(template.sid, "rejected", "INVALID_FORMAT")
    template_sync_all()

    change = template.status_changes.get(new_status="rejected")
    assert (change.old_status, change.rejection_reason, change.in_use, change.alert) == (
        "received",
        "INVALID_FORMAT",
        False,
        False,
    )
    assert "template-alerts" not in admin_client.get(reverse("admin:index")).content.decode()
    assert "INVALID_FORMAT" in template_usable(template=Template.objects.get(pk=template.pk))[1]


def test_sync_button_pulls_templates_made_elsewhere_and_shows_the_time(simulator, admin_client, whatsapp_reviewer):
    changelist = reverse("admin:conversations_ops_template_changelist")
    assert "Last sync from Twilio: never" in admin_client.get(changelist).content.decode()
    create_from_admin(admin_client, submit="", approval_name="", category="")
    Template.objects.all().delete()  # as if made on Twilio's console, not here

    response = admin_client.post(reverse("admin:conversations_ops_template_sync"), follow=True)

    page = response.content.decode()
    assert "Templates synced: 1 read, 1 new" in page
    assert "Last sync from Twilio: never" not in page
    template = Template.objects.get()
    assert (template.friendly_name, template.body_text, template.approval_status) == (
        "courier_invite",
        "Hi {{1}}, {{2}} is bringing your order.",
        "unsubmitted",
    )
    assert admin_client.get(reverse("admin:conversations_ops_template_sync")).status_code == 403
