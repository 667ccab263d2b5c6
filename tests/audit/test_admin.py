"""The audit trail and the admin log in the admin: read-only for everyone, viewable by every group,
newest first, filterable, searchable by SID, numbers masked."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from conversations_ops.audit.entries import audit_record, shell_source
from conversations_ops.models import AuditEntry
from tests.audit.helpers import GROUPS
from tests.helpers.admin_forms import form_data
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:conversations_ops_auditentry_changelist")


def _entries(staff):
    """Three entries, oldest first, an hour apart."""
    made = [
        audit_record(action="template.create", user=staff, twilio_sid=make_sid("HX", 1)),
        audit_record(action="account_webhooks.configure", user=staff, error="Twilio did not answer"),
    ]
    with shell_source(command="twilio_pull"):
        made.append(audit_record(action="pull.run", detail={"resources": {}}))
    for hours_ago, entry in zip((3, 2, 1), made, strict=True):
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return made


def _shown(response) -> list[int]:
    return [entry.pk for entry in response.context["cl"].result_list]


def test_the_list_is_newest_first_and_filters_by_action_source_result_and_actor(admin_client, staff):
    create, configure, pull = _entries(staff)
    assert _shown(admin_client.get(CHANGELIST)) == [pull.pk, configure.pk, create.pk]
    assert _shown(admin_client.get(CHANGELIST, {"action": "template.create"})) == [create.pk]
    assert _shown(admin_client.get(CHANGELIST, {"source__exact": "shell"})) == [pull.pk]
    assert _shown(admin_client.get(CHANGELIST, {"result_state__exact": "failed"})) == [configure.pk]
    assert _shown(admin_client.get(CHANGELIST, {"actor__id__exact": staff.pk})) == [configure.pk, create.pk]
    assert _shown(admin_client.get(CHANGELIST, {"q": make_sid("HX", 1)})) == [create.pk]
    assert _shown(admin_client.get(CHANGELIST, {"q": make_sid("HX", 1)[:10]})) == [], "exact SIDs only"
    since = timezone.now() - timedelta(minutes=90)  # what the date filter's links send, shorter
    assert _shown(admin_client.get(CHANGELIST, {"created_at__gte": since.isoformat()})) == [pull.pk]


def test_the_list_never_counts_the_whole_table(admin_client, staff):
    _entries(staff)
    response = admin_client.get(CHANGELIST)
    assert response.context["cl"].show_full_result_count is False
    assert response.context["cl"].date_hierarchy is None
    assert response.context["cl"].add_facets is False and b"Show counts" not in response.content


def test_a_superuser_can_neither_add_change_nor_delete(admin_client, staff):
    entry, *_ = _entries(staff)
    change = reverse("admin:conversations_ops_auditentry_change", args=[entry.pk])
    assert admin_client.get(reverse("admin:conversations_ops_auditentry_add")).status_code == 403
    page = admin_client.get(change)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert admin_client.post(change, {"action": "tampered"}).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:conversations_ops_auditentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_client.get(CHANGELIST).context["action_form"] is None, "no actions, not even delete_selected"
    assert AuditEntry.objects.get(pk=entry.pk).action == "template.create"


@pytest.mark.parametrize("group", GROUPS)
def test_every_staff_group_can_view_the_trail_and_the_admin_log(client, member, staff, group):
    entry, *_ = _entries(staff)
    client.force_login(member(group))
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:conversations_ops_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:admin_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:conversations_ops_auditentry_add")).status_code == 403


def test_someone_outside_the_groups_cannot_view_the_trail(client, staff):
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403


def test_the_admin_log_keeps_admin_changes_with_numbers_masked(admin_client):
    add = reverse("admin:conversations_ops_addressconfiguration_add")
    data = form_data(admin_client.get(add))
    response = admin_client.post(add, {**data, "address": "whatsapp:+14155550123", "type": "whatsapp"}, follow=True)
    assert response.status_code == 200  # followed, so its "was added" message is not on the next page
    (log,) = LogEntry.objects.all()
    assert log.object_repr == "whatsapp:+14155550123", "Django keeps the name as it was"
    page = admin_client.get(reverse("admin:admin_logentry_changelist")).content.decode()
    assert "whatsapp:+14•••••0123" in page and "+14155550123" not in page
    detail = admin_client.get(reverse("admin:admin_logentry_change", args=[log.pk]))
    assert detail.status_code == 200 and "+14155550123" not in detail.content.decode()
    assert admin_client.get(reverse("admin:admin_logentry_add")).status_code == 403
