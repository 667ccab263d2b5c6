"""Twilio takes one WhatsApp approval request per Content SID (92009): the console offers
"Copy as a new template" instead of a second submit, links the copy to its original, and
names the places that still use the original."""

import pytest
import requests
from django.contrib.auth.models import Permission
from django.urls import reverse

from conversations_ops.messaging.template_sync import template_sync_all
from conversations_ops.messaging.templates import template_uses
from conversations_ops.models import AuditEntry, Message, Pairing, Template
from conversations_ops.twilio import gateway
from simulator.models import SimContent
from tests.helpers.ids import make_sid
from tests.helpers.templates import create_from_admin
from tests.roles.staff import OPS, ROLES, SUPPORT, client_for, staff_user

CORRECTED = "Hello {{1}}, {{2}} is bringing your order."


def _change_page(client, template) -> str:
    return client.get(reverse("admin:conversations_ops_template_change", args=[template.pk])).content.decode()


def _copy_url(template) -> str:
    return reverse("admin:conversations_ops_template_copy", args=[template.pk])


def _rejected(admin_client, whatsapp_reviewer) -> Template:
    create_from_admin(admin_client)
    template = Template.objects.get()
    whatsapp_reviewer(template.sid, "rejected", "INVALID_FORMAT")
    template_sync_all()
    template.refresh_from_db()
    return template


def _open_pairing(template, address_configuration) -> Pairing:
    return Pairing.objects.create(
        sender=address_configuration,
        customer_address="whatsapp:+15017122661",
        courier_address="whatsapp:+15017122662",
        invite_template=template,
        connected_template=template,
        state="awaiting_customer",
    )


@pytest.mark.slow
def test_a_rejected_template_offers_copy_as_a_new_template_not_submit_again(simulator, admin_client, whatsapp_reviewer):
    template = _rejected(admin_client, whatsapp_reviewer)

    page = _change_page(admin_client, template)

    assert "Copy as a new template" in page and _copy_url(template) in page
    assert "Submit for WhatsApp approval" not in page
    assert reverse("admin:conversations_ops_template_submit", args=[template.pk]) not in page
    # A template never submitted is submitted, not copied.
    create_from_admin(admin_client, friendly_name="draft", submit="", approval_name="", category="")
    draft = Template.objects.get(friendly_name="draft")
    page = _change_page(admin_client, draft)
    assert "Submit for WhatsApp approval" in page and _copy_url(draft) not in page


@pytest.mark.slow
def test_the_copy_is_confirmed_pushed_linked_and_names_what_used_the_original(
    simulator, admin_client, admin_user, whatsapp_reviewer, conversation, address_configuration
):
    old = _rejected(admin_client, whatsapp_reviewer)
    pairing = _open_pairing(old, address_configuration)
    Message.objects.create(conversation=conversation, sid=make_sid("IM", 7), index=0, content_sid=old.sid)

    confirm = admin_client.get(_copy_url(old))

    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Create the copy on Twilio" in page
    assert "new template on Twilio" in page and "error 92009" in page
    form = confirm.context["form"]
    assert (form["friendly_name"].value(), form["approval_name"].value()) == ("courier_invite_v2", "courier_invite_v2")
    assert form["body"].value() == "Hi {{1}}, {{2}} is bringing your order."
    assert (form["samples"].value(), form["category"].value()) == ("Ana\nRobert", "UTILITY")
    # Before acting: the places that still use the original, named.
    assert reverse("admin:conversations_ops_pairing_change", args=[pairing.pk]) in page
    assert "invite and connected template" in page and "1 message(s)" in page and f"?q={old.sid}" in page
    assert Template.objects.count() == 1, "a GET creates nothing"

    done = admin_client.post(
        _copy_url(old),
        {
            **{k: form[k].value() for k in ("friendly_name", "language", "samples", "approval_name", "category")},
            "body": CORRECTED,
            "submit": "on",
        },
        follow=True,
    )

    new = Template.objects.exclude(pk=old.pk).get()
    assert done.redirect_chain[-1][0] == reverse("admin:conversations_ops_template_change", args=[new.pk])
    assert new.sid.startswith("HX") and new.sid != old.sid
    assert new.copied_from == old and list(old.copies.all()) == [new]
    on_twilio = SimContent.objects.get(sid=new.sid)
    assert on_twilio.types == {"twilio/text": {"body": CORRECTED}} and on_twilio.variables == {
        "1": "Ana",
        "2": "Robert",
    }
    assert (on_twilio.approval["name"], on_twilio.approval["status"]) == ("courier_invite_v2", "received")
    assert new.approval_status == "received" and new.body_text == CORRECTED
    assert SimContent.objects.get(sid=old.sid).approval["status"] == "rejected", "the original stays as it is"
    shown = done.content.decode()
    assert f"a copy of {old}" in shown and "Submitted for WhatsApp approval: status received" in shown
    assert "is still used: switch the places listed on its page" in shown
    # Both directions on the admin pages.
    assert "Copied from" in shown and reverse("admin:conversations_ops_template_change", args=[old.pk]) in shown
    old_page = _change_page(admin_client, old)
    assert "Copied to" in old_page and reverse("admin:conversations_ops_template_change", args=[new.pk]) in old_page
    assert f"switch these to {new}" in old_page and "invite and connected template" in old_page
    # Audited like other staff writes: the copy, then the copy's submission.
    copy_entry, submit_entry = AuditEntry.objects.filter(action__in=["template.copy", "template.submit"]).order_by(
        "id"
    )[1:]
    assert (copy_entry.action, copy_entry.actor, copy_entry.result_state, copy_entry.twilio_sid) == (
        "template.copy",
        admin_user,
        "succeeded",
        new.sid,
    )
    assert copy_entry.detail == {
        "copied_from": old.sid,
        "friendly_name": "courier_invite_v2",
        "language": "en",
        "placeholders": 2,
    }
    assert (submit_entry.action, submit_entry.twilio_sid) == ("template.submit", new.sid)
    # The link is the console's own: a sync of Twilio's templates keeps it.
    template_sync_all()
    assert Template.objects.get(pk=new.pk).copied_from == old


@pytest.mark.slow
def test_a_copy_twilio_refuses_is_explained_and_creates_nothing(simulator, admin_client, whatsapp_reviewer):
    old = _rejected(admin_client, whatsapp_reviewer)
    faults = f"{simulator.api_base}/_control/faults"
    requests.post(faults, json={"rate": 1, "kinds": ["500"], "paths": ["/Content"]}, timeout=5).raise_for_status()
    try:
        response = admin_client.post(
            _copy_url(old),
            {"friendly_name": "courier_invite_v2", "language": "en", "body": CORRECTED, "samples": "Ana\nRobert"},
        )
    finally:
        requests.delete(faults, timeout=5)

    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "Twilio had an internal error" in error and "(Twilio error 20500)" in error
    assert Template.objects.count() == 1
    failed = AuditEntry.objects.filter(action="template.copy").get()
    assert (failed.result_state, failed.object_id, failed.detail["copied_from"]) == ("failed", old.pk, old.sid)


@pytest.mark.slow
def test_submitting_again_is_refused_before_twilio_and_a_stale_mirror_meets_92009_explained(simulator, admin_client):
    create_from_admin(admin_client)
    template = Template.objects.get()
    submit = reverse("admin:conversations_ops_template_submit", args=[template.pk])

    response = admin_client.post(submit, {"approval_name": "courier_invite_2", "category": "UTILITY"})

    [error] = response.context["form"].non_field_errors()
    assert "already submitted" in error and "92009" in error and "Copy as a new template" in error
    assert not AuditEntry.objects.filter(action="template.submit", result_state="failed").exists(), "no Twilio call"

    # The mirror behind Twilio (no sync since someone submitted it elsewhere): Twilio's 92009, explained.
    Template.objects.filter(pk=template.pk).update(approval_status="unsubmitted")
    response = admin_client.post(submit, {"approval_name": "courier_invite_2", "category": "UTILITY"})

    [error] = response.context["form"].non_field_errors()
    assert "Twilio error 92009" in error and "already been submitted for approval" in error
    assert "Create a new template" in error and "Copy as a new template" in error
    refused = AuditEntry.objects.get(action="template.submit", result_state="failed")
    assert (refused.twilio_error_code, refused.twilio_http_status) == (92009, 400)
    template.refresh_from_db()
    assert (template.approval_status, template.approval_name) == ("received", "courier_invite"), "caught up"
    assert _copy_url(template) in _change_page(admin_client, template)


@pytest.mark.django_db
def test_template_uses_names_open_pairings_and_recent_sends_only(template, conversation, address_configuration):
    other = Template.objects.create(sid=make_sid("HX", 2), friendly_name="other", language="en")
    assert not template_uses(template=template).any

    pairing = _open_pairing(template, address_configuration)
    closed = _open_pairing(template, address_configuration)
    Pairing.objects.filter(pk=closed.pk).update(state="closed")
    Message.objects.create(conversation=conversation, sid=make_sid("IM", 3), index=0, content_sid=template.sid)
    Message.objects.create(conversation=conversation, sid=make_sid("IM", 4), index=1, content_sid=other.sid)

    uses = template_uses(template=template)
    assert uses.open_pairings == [(pairing, "invite and connected")]
    Pairing.objects.filter(pk=pairing.pk).update(invite_template=other)
    assert template_uses(template=template).open_pairings == [(pairing, "connected")]
    Pairing.objects.filter(pk=pairing.pk).update(invite_template=template)
    assert (uses.recent_pairings, uses.recent_messages, uses.any) == (2, 1, True)
    assert not template_uses(template=other).open_pairings


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_copy_reaches_twilio_only_for_those_who_create_templates(monkeypatch, template, role):
    calls = []

    def copied(**kwargs):
        calls.append("copy")
        return Template.objects.create(sid=make_sid("HX", 5), friendly_name="courier_invite_v2", language="en")

    monkeypatch.setattr("conversations_ops.admin.templates.template_copy", copied)
    monkeypatch.setattr(gateway, "content_create", lambda **kw: pytest.fail("the view's service is replaced"))
    client = client_for(staff_user(role))
    data = {"friendly_name": "courier_invite_v2", "language": "en", "body": CORRECTED, "samples": "Ana\nRobert"}

    page = client.get(reverse("admin:conversations_ops_template_change", args=[template.pk]))
    response = client.post(_copy_url(template), data)

    if role == SUPPORT:
        assert _copy_url(template) in page.content.decode()
        assert (response.status_code, calls) == (302, ["copy"])
    else:
        assert _copy_url(template) not in page.content.decode()
        assert (response.status_code, calls) == (403, [])


@pytest.mark.django_db
def test_ticking_submit_without_the_submit_permission_is_refused_beside_the_field(monkeypatch, template):
    user = staff_user(OPS, "creator")
    user.user_permissions.add(
        Permission.objects.get(codename="add_template"), Permission.objects.get(codename="push_to_twilio")
    )
    monkeypatch.setattr("conversations_ops.admin.templates.template_copy", lambda **kw: pytest.fail("no copy"))
    data = {"friendly_name": "courier_invite_v2", "language": "en", "body": CORRECTED, "samples": "Ana\nRobert"}
    data |= {"submit": "on", "approval_name": "courier_invite_v2", "category": "UTILITY"}

    response = client_for(user).post(_copy_url(template), data)

    assert response.status_code == 200
    assert "not submit them" in " ".join(response.context["form"].errors["submit"])


@pytest.mark.django_db
def test_a_copy_prefilled_with_a_masked_number_is_refused_not_saved_masked(monkeypatch, template):
    """Support may not see numbers: the copy form shows the original's number masked, and
    posting it back as it stands would replace the number for good."""
    template.types = {"twilio/text": {"body": "Call us on +14155550100 if {{1}} is late."}}
    template.save()
    monkeypatch.setattr("conversations_ops.admin.templates.template_copy", lambda **kw: pytest.fail("no copy"))
    client = client_for(staff_user(SUPPORT))

    prefilled = client.get(_copy_url(template)).context["form"].initial
    assert "+14155550100" not in prefilled["body"] and "•••••" in prefilled["body"]
    response = client.post(_copy_url(template), {**prefilled, "friendly_name": "courier_invite_v2", "samples": "Ana"})

    assert response.status_code == 200
    assert "masked number" in " ".join(response.context["form"].errors["body"])
    assert not Template.objects.filter(friendly_name="courier_invite_v2").exists()
