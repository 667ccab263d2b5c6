"""Meta re-categorises templates (e.g. UTILITY -> MARKETING), during review or after approval;
Twilio only reports the current category. The console records each move in the template's
history and alerts on a template in use, like a pause."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from conversations_ops.messaging.template_sync import template_sync_all
from conversations_ops.messaging.templates import template_status_change_record, template_usable
from conversations_ops.models import Message, Template, TemplateStatusChange
from tests.helpers.ids import make_sid
from tests.helpers.templates import create_from_admin


def _approved_and_synced(admin_client, whatsapp_reviewer) -> Template:
    create_from_admin(admin_client)
    template = Template.objects.get()
    whatsapp_reviewer(template.sid, "approved")
    template_sync_all()
    template.refresh_from_db()
    return template


@pytest.mark.slow
def test_a_recategorisation_of_a_template_in_use_is_recorded_and_alerted(
    simulator, admin_client, whatsapp_reviewer, conversation
):
    template = _approved_and_synced(admin_client, whatsapp_reviewer)
    Message.objects.create(conversation=conversation, sid=make_sid("IM", 9), index=0, content_sid=template.sid)

    whatsapp_reviewer(template.sid, category="MARKETING")
    result = template_sync_all()

    template.refresh_from_db()
    assert template.approval_category == "MARKETING"
    change = TemplateStatusChange.objects.get(template=template, new_category="MARKETING")
    assert result.changes == [change] and result.alerts == [change]
    assert (change.old_status, change.new_status, change.old_category, change.in_use, change.alert) == (
        "approved",
        "approved",
        "UTILITY",
        True,
        True,
    )
    assert change.recategorised and not change.status_changed
    assert template_usable(template=template) == (True, ""), "still sendable: only its price and limits changed"
    # Alerted where a pause is: the home page's "Needs attention" and the template list.
    for url in (reverse("admin:index"), reverse("admin:conversations_ops_template_changelist")):
        page = admin_client.get(url).content.decode()
        assert "template-alerts" in page and "template-recategorised" in page
        assert "category UTILITY → <strong>MARKETING</strong>" in page and "courier_invite" in page
        assert "Sends with it are refused" not in page, "a re-categorised template is not stopped"
    changes_page = admin_client.get(reverse("admin:conversations_ops_templatestatuschange_changelist"))
    assert "UTILITY → MARKETING (re-categorised by Meta)" in changes_page.content.decode()
    # Recorded once: a second sync finds nothing new.
    assert template_sync_all().changes == []
    admin_client.post(
        reverse("admin:conversations_ops_templatestatuschange_changelist"),
        {"action": "acknowledge", "_selected_action": [change.pk]},
    )
    assert "template-alerts" not in admin_client.get(reverse("admin:index")).content.decode()


@pytest.mark.slow
def test_a_recategorisation_of_a_template_not_in_use_is_history_without_alert(
    simulator, admin_client, whatsapp_reviewer
):
    template = _approved_and_synced(admin_client, whatsapp_reviewer)

    whatsapp_reviewer(template.sid, category="MARKETING")
    [change] = template_sync_all().changes

    assert (change.old_category, change.new_category, change.in_use, change.alert) == (
        "UTILITY",
        "MARKETING",
        False,
        False,
    )
    assert "template-alerts" not in admin_client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_the_first_category_is_not_a_move_and_a_listing_without_one_tells_nothing(template):
    template.approval_category = "UTILITY"
    first = template_status_change_record(template=template)
    assert (first.old_category, first.new_category, first.recategorised, first.alert) == ("", "UTILITY", False, False)

    template.approval_category = ""  # an approval object without its category
    assert template_status_change_record(template=template) is None

    # Moved during review: approved as MARKETING although submitted as UTILITY: one row says both.
    template.approval_status, template.approval_category = "paused", "MARKETING"
    both = template_status_change_record(template=template)
    assert (both.old_status, both.new_status, both.old_category, both.new_category) == (
        "approved",
        "paused",
        "UTILITY",
        "MARKETING",
    )
    assert both.status_changed and both.recategorised
    assert "category UTILITY -> MARKETING" in str(both)


@pytest.mark.django_db
def test_the_migration_gives_the_history_the_categories_the_mirror_holds(template):
    template.approval_category = "UTILITY"
    template.save()
    older = TemplateStatusChange.objects.create(template=template, new_status="received", seen_at=template.created_at)
    latest = TemplateStatusChange.objects.create(
        template=template, previous=older, old_status="received", new_status="approved", seen_at=template.created_at
    )
    migration = importlib.import_module("conversations_ops.migrations.0017_template_copies_and_categories")

    migration.latest_category_backfill(apps, None)

    latest.refresh_from_db()
    older.refresh_from_db()
    assert (latest.new_category, older.new_category) == ("UTILITY", "")
    assert template_status_change_record(template=template) is None, "no move seen where none happened"
