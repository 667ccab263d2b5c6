"""Every admin page, for each role: who may open it, and who may change what it shows.

Roles are staff users put in the groups migration 0011 makes (Support, Ops,
Auditor), and a staff user in no group. What each group may do is the
migration's docstring; conversations_ops/permissions.py adds the console's own.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.roles.staff import NO_GROUP, OPS, READERS, ROLES, SUPPORT, url

pytestmark = pytest.mark.django_db

NOBODY = set()

# Console model -> (who may add, who may change an existing row).
MODELS = {
    "addressconfiguration": ({SUPPORT}, {SUPPORT}),
    "sandboxsender": ({SUPPORT}, {SUPPORT}),
    "template": ({SUPPORT}, {SUPPORT}),  # its fields are Twilio's, read-only; "change" is submit
    "templatestatuschange": (NOBODY, NOBODY),
    "conversation": ({OPS}, {OPS}),
    "participant": ({OPS}, {OPS}),
    "conversationwebhook": ({OPS}, NOBODY),  # Twilio has no update for these
    "message": ({OPS}, NOBODY),
    "pairing": ({OPS}, NOBODY),  # started on its own page, ended by Close/Abandon
    "deliveryreceipt": (NOBODY, NOBODY),
    "webhookevent": (NOBODY, NOBODY),
    "webhookrejection": (NOBODY, NOBODY),
    "syncoperation": (NOBODY, NOBODY),
    # The registry is evidence: changed only through "Record a consent change" (tests/consent/).
    "consent": (NOBODY, NOBODY),
}
# Registered by the audit trail's and clienteling's work; their own tests say who reads them
# (tests/clienteling/: the row rule decides which customers, not only the group).
ELSEWHERE = {
    ("conversations_ops", "auditentry"),
    ("admin", "logentry"),
    ("conversations_ops", "customer"),
    ("conversations_ops", "clientelingteam"),
}
MATRIX = [(role, model) for model in MODELS for role in ROLES]


def test_the_matrix_covers_every_console_model_in_the_admin():
    registered = {m._meta.model_name for m in admin.site._registry if m._meta.app_label == "conversations_ops"}
    assert registered - {name for _, name in ELSEWHERE} == set(MODELS)


@pytest.mark.parametrize(("role", "model"), MATRIX)
def test_changelist(staff, rows, role, model):
    response = staff(role).get(url(model, "changelist"))
    assert response.status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize(("role", "model"), MATRIX)
def test_add_page(staff, rows, role, model):
    response = staff(role).get(url(model, "add"))
    allowed = role in MODELS[model][0]
    if model == "pairing" and allowed:  # "Add" leads to the Start pairing page
        assert response.status_code == 302 and response.url == reverse("admin:conversations_ops_pairing_start")
    else:
        assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(("role", "model"), MATRIX)
def test_change_page(staff, rows, role, model):
    row = getattr(rows, model)
    response = staff(role).get(url(model, "change", row.pk))
    if role not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.context["has_change_permission"] is (role in MODELS[model][1])


@pytest.mark.parametrize("role", ROLES)
def test_other_apps_are_closed_to_every_role(staff, role):
    """Users, groups, the task queue's and the login throttle's tables: superusers only."""
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label == "conversations_ops" or (opts.app_label, opts.model_name) in ELSEWHERE:
            continue
        response = staff(role).get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 403, opts.label


def test_staff_in_no_group_get_no_audit_pages_either(staff):
    """Which roles read the audit trail is that work's to test; staff in no group read nothing."""
    for app_label, model_name in ELSEWHERE:
        response = staff(NO_GROUP).get(reverse(f"admin:{app_label}_{model_name}_changelist"))
        assert response.status_code == 403


# Custom pages: name -> (its URL from the rows, who may open it).
CUSTOM_PAGES = {
    "send message": (lambda r: url("conversation", "send", r.conversation.pk), {OPS}),
    "start pairing": (lambda r: reverse("admin:conversations_ops_pairing_start"), {OPS}),
    "close pairing": (lambda r: url("pairing", "close", r.pairing.pk), {OPS}),
    "abandon pairing": (lambda r: url("pairing", "abandon", r.pairing.pk), {OPS}),
    "submit template": (
        lambda r: reverse("admin:conversations_ops_template_submit", args=[r.unsubmitted.pk]),
        {SUPPORT},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", CUSTOM_PAGES)
def test_custom_pages(staff, rows, role, page):
    make_url, allowed = CUSTOM_PAGES[page]
    response = staff(role).get(make_url(rows))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", ROLES)
def test_links_to_pages_one_may_not_use_are_not_shown(staff, rows, role):
    client = staff(role)
    if role not in READERS:
        return
    conversation = client.get(url("conversation", "change", rows.conversation.pk)).content.decode()
    assert (url("conversation", "send", rows.conversation.pk) in conversation) is (role == OPS)
    pairings = client.get(url("pairing", "changelist")).content.decode()
    assert (reverse("admin:conversations_ops_pairing_start") in pairings) is (role == OPS)
    pairing = client.get(url("pairing", "change", rows.pairing.pk))
    assert pairing.context["pairing_actions"] == (["close", "retry", "abandon"] if role == OPS else [])
    templates = client.get(url("template", "changelist")).content.decode()
    assert (reverse("admin:conversations_ops_template_sync") in templates) is (role in {SUPPORT, OPS})
    template = client.get(url("template", "change", rows.unsubmitted.pk)).content.decode()
    submit = reverse("admin:conversations_ops_template_submit", args=[rows.unsubmitted.pk])
    assert (submit in template) is (role == SUPPORT)
