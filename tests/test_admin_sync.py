"""The admin pushes through services and runs the sync actions through the runner and the pull."""

import importlib

import pytest
from django.contrib.contenttypes.models import ContentType

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    Message,
    OperationState,
    Participant,
    SyncOperation,
)
from conversations_ops.services.conversations import conversation_create
from conversations_ops.twilio.gateway import GatewayError
from tests.helpers.admin_forms import form_data, url
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP, make_sid
from tests.services.helpers import ops_of

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def fake_module(monkeypatch, name, **functions):
    """Stands in for functions of the runner or the pull, which other modules provide."""
    module = importlib.import_module(name)
    for attr, function in functions.items():
        monkeypatch.setattr(module, attr, function)


# Saving goes through services ------------------------------------------------


def test_adding_a_conversation_queues_its_create(admin_client, admin_user):
    data = form_data(admin_client.get(url(Conversation, "add")))
    response = admin_client.post(url(Conversation, "add"), {**data, "unique_name": "order-c1"})
    assert response.status_code == 302
    (op,) = ops_of(Conversation.objects.get(unique_name="order-c1"))
    assert (op.operation, op.requested_by) == ("conversation.create", admin_user)


def test_changing_a_conversation_queues_an_update_of_the_changed_fields(admin_client, conversation):
    data = form_data(admin_client.get(url(Conversation, "change", conversation.pk)))
    response = admin_client.post(url(Conversation, "change", conversation.pk), {**data, "friendly_name": "Moved"})
    assert response.status_code == 302
    (op,) = ops_of(conversation)
    assert (op.operation, op.payload) == ("conversation.update", {"fields": ["friendly_name"]})


def test_a_refusal_shows_on_the_form_and_queues_nothing(admin_client, conversation):
    Conversation.objects.filter(pk=conversation.pk).update(state="closed")
    data = form_data(admin_client.get(url(Conversation, "change", conversation.pk)))
    response = admin_client.post(url(Conversation, "change", conversation.pk), {**data, "friendly_name": "Again"})
    assert response.status_code == 200
    assert "accepts no changes to a closed conversation" in str(response.context["adminform"].form.errors)
    assert ops_of(conversation) == []


def test_adding_a_participant_to_a_closed_conversation_is_refused_on_the_form(admin_client, conversation):
    Conversation.objects.filter(pk=conversation.pk).update(state="closed")
    data = form_data(admin_client.get(url(Participant, "add")))
    data.update(
        conversation=conversation.pk,
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    response = admin_client.post(url(Participant, "add"), data)
    assert response.status_code == 200
    assert "closed" in str(response.context["adminform"].form.errors["conversation"])
    assert not Participant.objects.exists() and not SyncOperation.objects.exists()


def test_adding_a_participant_derives_the_channel(admin_client, conversation):
    data = form_data(admin_client.get(url(Participant, "add")))
    data.update(
        conversation=conversation.pk,
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    assert admin_client.post(url(Participant, "add"), data).status_code == 302
    participant = Participant.objects.get()
    assert participant.messaging_binding_type == "whatsapp"
    assert [op.operation for op in ops_of(participant)] == ["participant.add"]


@pytest.mark.parametrize(
    ("model", "fields", "operation"),
    [
        (
            AddressConfiguration,
            {"address": "whatsapp:+14155550123", "type": "whatsapp"},
            "address_configuration.create",
        ),
        (Message, {"body": "On my way"}, "message.send"),
        (
            ConversationWebhook,
            {"target": "webhook", "url": "https://example.com/h", "method": "post"},
            "conversation_webhook.add",
        ),
    ],
)
def test_adding_other_records_queues_their_push(admin_client, conversation, model, fields, operation):
    data = form_data(admin_client.get(url(model, "add")))
    data.update(fields)
    if "conversation" in data:
        data["conversation"] = conversation.pk
    response = admin_client.post(url(model, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [op.operation for op in ops_of(model.objects.get())] == [operation]


def test_a_sent_message_cannot_be_edited_or_deleted(admin_client, message):
    response = admin_client.get(url(Message, "change", message.pk))
    assert response.context["has_change_permission"] is False
    assert admin_client.post(url(Message, "delete", message.pk), {"post": "yes"}).status_code == 403


def test_delete_keeps_the_confirmation_page_then_queues_the_delete(admin_client, conversation):
    confirm = admin_client.get(url(Conversation, "delete", conversation.pk))
    assert confirm.status_code == 200 and b"Are you sure" in confirm.content
    response = admin_client.post(url(Conversation, "delete", conversation.pk), {"post": "yes"}, follow=True)
    assert "will be deleted on Twilio" in " ".join(messages_of(response))
    conversation.refresh_from_db()
    assert conversation.sync_state == "pending"
    assert [(op.operation, op.payload) for op in ops_of(conversation)] == [
        ("conversation.delete", {"sid": conversation.sid})
    ]


def test_deleting_an_unpushed_row_removes_it_here(admin_client):
    conversation = conversation_create(unique_name="never-pushed")
    admin_client.post(url(Conversation, "delete", conversation.pk), {"post": "yes"})
    assert not Conversation.objects.exists()
    assert SyncOperation.objects.get().state == OperationState.CANCELLED


def test_bulk_delete_confirms_then_queues_each(admin_client, participant):
    changelist = url(Participant, "changelist")
    selection = {"action": "delete_selected", "_selected_action": [participant.pk]}
    assert b"Are you sure" in admin_client.post(changelist, selection).content
    response = admin_client.post(changelist, {**selection, "post": "yes"}, follow=True)
    assert "1 deletion(s) queued on Twilio" in " ".join(messages_of(response))
    assert [op.operation for op in ops_of(participant)] == ["participant.remove"]


# Actions ---------------------------------------------------------------------


def _failed_op(row, *, code=50416, status=409, message="Participant and proxy address pair is already in use"):
    row.sync_state, row.last_sync_error_code, row.last_sync_error = "failed", code, message
    row.save()
    return SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(row),
        object_id=row.pk,
        operation="participant.add",
        state=OperationState.FAILED,
        last_error_status=status,
        last_error_code=code,
        last_error_message=message,
    )


def test_push_now_runs_the_rows_pending_operations(admin_client, monkeypatch, conversation):
    runs = []

    def sync_operation_run(*, operation_id, ignore_schedule=False):
        runs.append((operation_id, ignore_schedule))
        SyncOperation.objects.filter(pk=operation_id).update(state=OperationState.SUCCEEDED)

    fake_module(monkeypatch, "conversations_ops.outbox.runner", sync_operation_run=sync_operation_run)
    pending = conversation_create(unique_name="order-p1")
    response = admin_client.post(
        url(Conversation, "changelist"), {"action": "push_now", "_selected_action": [pending.pk]}, follow=True
    )
    assert runs == [(op.pk, True) for op in ops_of(pending)], "now, whatever its schedule"
    assert "Push now: 1 done." in messages_of(response)


def test_push_now_explains_what_failed(admin_client, monkeypatch, participant):
    SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(participant),
        object_id=participant.pk,
        operation="participant.add",
    )

    def sync_operation_run(*, operation_id, ignore_schedule=False):
        SyncOperation.objects.filter(pk=operation_id).update(
            state=OperationState.FAILED, last_error_status=400, last_error_code=50407, last_error_message="Invalid"
        )

    fake_module(monkeypatch, "conversations_ops.outbox.runner", sync_operation_run=sync_operation_run)
    response = admin_client.post(
        url(Participant, "changelist"), {"action": "push_now", "_selected_action": [participant.pk]}, follow=True
    )
    text = " ".join(messages_of(response))
    assert "Push now: 0 done, 1 failed." in text and "Invalid messaging address (50407)" in text


def test_retry_failed_reruns_the_failed_operations_and_explains_what_still_fails(
    admin_client, monkeypatch, participant
):
    op = _failed_op(participant)
    retried = []

    def sync_operations_retry(*, operations):
        retried.extend(o.pk for o in operations)
        return len(retried)

    fake_module(monkeypatch, "conversations_ops.outbox.runner", sync_operations_retry=sync_operations_retry)
    response = admin_client.post(
        url(Participant, "changelist"), {"action": "retry_failed", "_selected_action": [participant.pk]}, follow=True
    )
    assert retried == [op.pk]
    text = " ".join(messages_of(response))
    assert "1 failed" in text and "Close that other conversation" in text


def test_pull_refreshes_rows_on_twilio_and_explains_errors(admin_client, monkeypatch, conversation):
    unpushed = conversation_create(unique_name="order-p2")
    pulled = []

    def pull_conversation(*, conversation):
        pulled.append(conversation.pk)
        raise GatewayError(status=401, code=20003, message="Authenticate")

    fake_module(monkeypatch, "conversations_ops.pull.runner", pull_conversation=pull_conversation)
    response = admin_client.post(
        url(Conversation, "changelist"),
        {"action": "pull_from_twilio", "_selected_action": [conversation.pk, unpushed.pk]},
        follow=True,
    )
    assert pulled == [conversation.pk]
    text = " ".join(messages_of(response))
    assert "1 skipped (not on Twilio yet)" in text and "TWILIO_AUTH_TOKEN" in text


def test_pulling_participants_pulls_their_conversation_once(admin_client, monkeypatch, participant):
    courier = Participant.objects.create(
        conversation=participant.conversation, sid=make_sid("MB", 2), identity="courier-1"
    )
    pulled = []

    def pull_conversation(*, conversation):
        pulled.append(conversation.pk)
        Participant.objects.filter(pk=courier.pk).update(sync_state="deleted_remotely")

    fake_module(monkeypatch, "conversations_ops.pull.runner", pull_conversation=pull_conversation)
    response = admin_client.post(
        url(Participant, "changelist"),
        {"action": "pull_from_twilio", "_selected_action": [participant.pk, courier.pk]},
        follow=True,
    )
    assert pulled == [participant.conversation_id]
    assert "Pull from Twilio: 1 done, 1 no longer on Twilio (marked deleted)." in messages_of(response)


# Failures explained ----------------------------------------------------------


def test_a_failed_row_explains_itself_on_its_page_and_in_the_list(admin_client, participant):
    _failed_op(participant)
    page = admin_client.get(url(Participant, "change", participant.pk)).content.decode()
    assert "50416" in page and "Number pair already in another open conversation" in page
    assert "Participant and proxy address pair is already in use" in page
    assert "Close that other conversation, or remove the participant from it, then retry." in page
    assert "https://www.twilio.com/docs/errors/50416" in page
    listing = admin_client.get(url(Participant, "changelist")).content.decode()
    assert "50416 Number pair already in another open conversation" in listing


def test_a_failed_operation_explains_itself_and_links_its_record(admin_client, participant):
    op = _failed_op(participant)
    page = admin_client.get(url(SyncOperation, "change", op.pk)).content.decode()
    assert "Close that other conversation" in page
    assert url(Participant, "change", participant.pk) in page


def test_an_operation_whose_record_is_gone_still_opens(admin_client, participant):
    op = _failed_op(participant)
    Participant.objects.filter(pk=participant.pk).delete()
    page = admin_client.get(url(SyncOperation, "change", op.pk)).content.decode()
    assert "(deleted)" in page


def test_the_sync_operation_list_shows_the_problem(admin_client, participant):
    _failed_op(participant, code=None, status=None, message="Twilio did not answer within 5 s.")
    listing = admin_client.get(url(SyncOperation, "changelist")).content.decode()
    assert "Twilio did not answer" in listing
    assert make_sid("MB") in listing or str(participant) in listing
