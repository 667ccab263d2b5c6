"""Every admin action and every page that changes Twilio, for each role: offered or not, and a refused
attempt changes nothing (no SyncOperation queued, no row touched, no Twilio call)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from conversations_ops.models import Message, OperationState, Pairing, SyncOperation, TemplateStatusChange
from tests.roles.rows import failed_operation
from tests.roles.staff import NO_GROUP, OPS, READERS, ROLES, SUPPORT, client_for, staff_user, url

pytestmark = pytest.mark.django_db

SYNC = ("push_now", "retry_failed", "pull_from_twilio")
# (changelist, action) -> who is offered it.
ACTIONS = {
    **{("addressconfiguration", name): {SUPPORT} for name in (*SYNC, "delete_selected")},
    ("sandboxsender", "delete_selected"): {SUPPORT},
    **{("conversation", name): {OPS} for name in (*SYNC, "delete_selected")},
    **{("participant", name): {OPS} for name in (*SYNC, "delete_selected")},
    **{("conversationwebhook", name): {OPS} for name in ("push_now", "retry_failed", "delete_selected")},
    **{("message", name): {OPS} for name in SYNC},  # nothing to change on Twilio: who adds, pushes
    ("webhookevent", "reprocess"): {OPS},
    ("pairing", "close_selected"): {OPS},
    ("templatestatuschange", "acknowledge"): {SUPPORT},
    ("template", "sync_from_twilio"): {SUPPORT, OPS},
}
READER_ROLES = sorted(READERS)


def offered(client, model: str) -> set[str]:
    form = client.get(url(model, "changelist")).context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


def run_action(client, model: str, action: str, rows_, **extra):
    return client.post(url(model, "changelist"), {"action": action, "_selected_action": [r.pk for r in rows_], **extra})


@pytest.mark.parametrize("role", READER_ROLES)
@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_action_is_offered_only_to_those_who_may_use_it(staff, rows, role, model, action):
    assert (action in offered(staff(role), model)) is (role in ACTIONS[(model, action)])


@pytest.fixture
def failed_pushes(rows):
    """A failed push of a Support record (address configuration) and of an Ops record (participant)."""
    return {
        "addressconfiguration": failed_operation(rows.addressconfiguration, "address_configuration.update"),
        "participant": rows.syncoperation,
    }  # the courier's


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("model", "owner"), [("addressconfiguration", SUPPORT), ("participant", OPS)])
def test_retry_failed_queues_only_for_the_records_owner(staff, rows, failed_pushes, no_push, role, model, owner):
    operation = failed_pushes[model]
    row = operation.target
    before = SyncOperation.objects.count()
    for action in SYNC:  # a refused Push now or Pull must not run either
        if role != owner:
            run_action(staff(role), model, action, [row])
    if role == owner:
        run_action(staff(role), model, "retry_failed", [row])
    operation.refresh_from_db()
    assert operation.state == (OperationState.PENDING if role == owner else OperationState.FAILED)
    assert SyncOperation.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_closing_pairings_from_the_list(staff, rows, no_push, role):
    response = run_action(staff(role), "pairing", "close_selected", [rows.pairing], post="yes")
    rows.pairing.refresh_from_db()
    if role == OPS:
        assert rows.pairing.state == "closing"
        assert SyncOperation.objects.filter(operation="conversation.update").exists()
    else:  # the admin answers "No action selected"
        assert response.status_code in (200, 302, 403)
        assert rows.pairing.state == "failed"
        assert not SyncOperation.objects.filter(operation="conversation.update").exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["close", "retry", "abandon"])
def test_pairing_close_retry_abandon_pages(staff, rows, no_push, role, name):
    before = SyncOperation.objects.count()
    response = staff(role).post(url("pairing", name, rows.pairing.pk), {"post": "yes"})
    if role == OPS:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert SyncOperation.objects.count() == before
        assert Pairing.objects.get().state == "failed"


@pytest.mark.parametrize("role", ROLES)
def test_reprocess(staff, rows, monkeypatch, role):
    reprocessed = []
    monkeypatch.setattr(
        "conversations_ops.admin.events.webhook_events_reprocess",
        lambda *, events, user=None: reprocessed.append(list(events)) or _Report(),
    )
    run_action(staff(role), "webhookevent", "reprocess", [rows.webhookevent])
    assert bool(reprocessed) is (role == OPS)


# Reprocess needs what applying an event may do on Twilio (the sandbox flow pushes, a pairing
# reply sends), not only change_webhookevent: each of the three permissions alone or in pairs is refused.
_CHANGE_EVENT = ("conversations_ops", "change_webhookevent")
_PUSH = ("conversations_ops", "push_to_twilio")
_SEND = ("conversations_ops", "send_message")


@pytest.mark.parametrize(
    ("granted", "allowed"),
    [
        ((_CHANGE_EVENT,), False),
        ((_CHANGE_EVENT, _PUSH), False),
        ((_CHANGE_EVENT, _SEND), False),
        ((_PUSH, _SEND), False),
        ((_CHANGE_EVENT, _PUSH, _SEND), True),
    ],
    ids=["change-only", "change+push", "change+send", "push+send", "all-three"],
)
def test_reprocess_needs_the_permissions_of_what_it_may_cause(rows, monkeypatch, granted, allowed):
    user = staff_user(NO_GROUP, username="reprocessor")
    user.user_permissions.add(Permission.objects.get(content_type__model="webhookevent", codename="view_webhookevent"))
    for app_label, codename in granted:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client = client_for(user)
    reprocessed = []
    monkeypatch.setattr(
        "conversations_ops.admin.events.webhook_events_reprocess",
        lambda *, events, user=None: reprocessed.append(list(events)) or _Report(),
    )
    assert ("reprocess" in offered(client, "webhookevent")) is allowed
    run_action(client, "webhookevent", "reprocess", [rows.webhookevent])
    assert bool(reprocessed) is allowed


class _Report:
    queued = 1

    def message(self):
        return "1 event queued."


@pytest.mark.parametrize("role", ROLES)
def test_acknowledge_template_alerts(staff, rows, role):
    run_action(staff(role), "templatestatuschange", "acknowledge", [rows.templatestatuschange])
    acknowledged = TemplateStatusChange.objects.get().acknowledged_at is not None
    assert acknowledged is (role == SUPPORT)


@pytest.mark.parametrize("role", ROLES)
def test_sync_templates_button(staff, rows, monkeypatch, role):
    synced = []
    nothing = SimpleNamespace(
        summary=SimpleNamespace(resources={"templates": SimpleNamespace(items=0, created=0, updated=0)}),
        changes=[],
        alerts=[],
    )
    monkeypatch.setattr(
        "conversations_ops.admin.templates.template_sync_all", lambda: synced.append(1) or nothing
    )  # the real one asks Twilio
    response = staff(role).post(reverse("admin:conversations_ops_template_sync"))
    assert response.status_code == (302 if role in {SUPPORT, OPS} else 403)
    assert bool(synced) is (role in {SUPPORT, OPS})


@pytest.mark.parametrize("role", ROLES)
def test_template_submit_and_create_reach_twilio_only_for_support(staff, rows, monkeypatch, role):
    calls = []
    monkeypatch.setattr("conversations_ops.admin.templates.template_submit", lambda **kwargs: calls.append("submit"))
    monkeypatch.setattr(
        "conversations_ops.admin.templates.template_create", lambda **kwargs: calls.append("create") or rows.unsubmitted
    )
    client = staff(role)
    submit = client.post(
        reverse("admin:conversations_ops_template_submit", args=[rows.unsubmitted.pk]),
        {"approval_name": "old_promo", "category": "UTILITY"},
    )
    create = client.post(
        url("template", "add"), {"friendly_name": "x", "language": "en", "body": "Hi", "samples": "", "submit": ""}
    )
    if role == SUPPORT:
        assert calls == ["submit", "create"] and submit.status_code == create.status_code == 302
    else:
        assert calls == [] and submit.status_code == create.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_send_message_page_sends_only_for_ops(staff, rows, no_push, role):
    # The customer wrote a minute ago (rows.message): the WhatsApp window is open.
    response = staff(role).post(
        url("conversation", "send", rows.conversation.pk), {"mode": "free_form", "body": "On my way", "action": "send"}
    )
    sent = Message.objects.filter(body="On my way").exists()
    assert (response.status_code, sent) == ((302, True) if role == OPS else (403, False))


@pytest.mark.parametrize("role", [r for r in ROLES if r != OPS])
def test_start_pairing_and_closing_a_conflict_are_refused(staff, rows, no_push, role):
    client = staff(role)
    assert client.post(reverse("admin:conversations_ops_pairing_start"), {"action": "check"}).status_code == 403
    close = client.post(
        reverse("admin:conversations_ops_pairing_conflict_close"), {"conversation_sid": rows.conversation.sid}
    )
    assert close.status_code == 403
    assert Pairing.objects.count() == 1 and not SyncOperation.objects.filter(operation="conversation.update")


NO_INLINES = {
    f"{prefix}-{key}": "0" for prefix in ("participants", "webhooks") for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.mark.parametrize("role", ROLES)
def test_saving_a_form_that_queues_a_push(staff, rows, no_push, role):
    before = SyncOperation.objects.count()
    response = staff(role).post(
        url("conversation", "change", rows.conversation.pk),
        {"unique_name": "renamed", "attributes": "{}", "state": "active", **NO_INLINES},
    )
    queued = SyncOperation.objects.count() - before
    assert (response.status_code, queued) == ((302, 1) if role == OPS else (403, 0))


def test_model_permission_without_push_to_twilio_is_read_only(db, rows, no_push):
    """Django's change permission alone does not reach Twilio: the page is read-only, the actions hidden."""
    user = staff_user(NO_GROUP, username="editor")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_conversation", "add_conversation"]))
    client = client_for(user)
    assert client.get(url("conversation", "change", rows.conversation.pk)).context["has_change_permission"] is False
    assert client.get(url("conversation", "add")).status_code == 403
    assert offered(client, "conversation") == set()


def test_ops_deletes_a_conversation_with_messages_through_twilio(staff, no_push):
    """The delete goes to Twilio, which removes the children: no delete_message needed (no group has it)."""
    from django.urls import reverse

    from conversations_ops.models import Conversation, Message, SyncOperation
    from tests.helpers.ids import make_sid

    conversation = Conversation.objects.create(sid=make_sid("CH", 77), sync_state="synced")
    Message.objects.create(conversation=conversation, sid=make_sid("IM", 77), index=0, sync_state="synced")
    url = reverse("admin:conversations_ops_conversation_delete", args=[conversation.pk])
    page = staff("Ops").get(url)
    assert page.status_code == 200 and "Yes, I’m sure" in page.content.decode()
    assert staff("Ops").post(url, {"post": "yes"}).status_code == 302
    assert SyncOperation.objects.get(object_id=conversation.pk).operation == "conversation.delete"
    assert staff("Auditor").post(url, {"post": "yes"}).status_code == 403
