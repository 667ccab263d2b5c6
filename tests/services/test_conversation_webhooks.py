import pytest
from django.core.exceptions import ValidationError

from conversations_ops.models import ConversationWebhook, SyncOperation
from conversations_ops.services.conversation_webhooks import conversation_webhook_add, conversation_webhook_remove
from tests.services.helpers import key_of, ops_of

pytestmark = pytest.mark.django_db
HOOK = "https://example.com/kw"


def add_trigger(conversation, word):
    return conversation_webhook_add(conversation=conversation, target="trigger", url=HOOK, triggers=[word])


def test_add_queues_one_add(conversation, admin_user):
    webhook = conversation_webhook_add(
        conversation=conversation,
        target="webhook",
        url="https://example.com/hook",
        method="post",
        filters=["onMessageAdded"],
        user=admin_user,
    )
    (op,) = ops_of(webhook)
    assert (op.operation, op.ordering_key) == ("conversation_webhook.add", key_of(conversation))
    assert webhook.sync_state == "pending"


def test_a_webhook_target_without_url_names_the_field(conversation):
    with pytest.raises(ValidationError) as excinfo:
        conversation_webhook_add(conversation=conversation, target="webhook")
    assert "url" in excinfo.value.message_dict
    assert not SyncOperation.objects.exists()


def test_unknown_filter_names_the_field(conversation):
    with pytest.raises(ValidationError) as excinfo:
        conversation_webhook_add(
            conversation=conversation, target="webhook", url="https://example.com/h", filters=["onEverything"]
        )
    assert "filters" in excinfo.value.message_dict


def test_a_sixth_webhook_is_refused(conversation):
    for n in range(5):
        add_trigger(conversation, f"word{n}")
    with pytest.raises(ValidationError) as excinfo:
        add_trigger(conversation, "sixth")
    assert "at most 5" in excinfo.value.message_dict["conversation"][0]


def test_remove_queues_the_delete_with_both_sids(conversation_webhook):
    op = conversation_webhook_remove(conversation_webhook=conversation_webhook)
    assert (op.operation, op.payload) == (
        "conversation_webhook.remove",
        {"sid": conversation_webhook.sid, "conversation_sid": conversation_webhook.conversation.sid},
    )


def test_remove_of_an_unpushed_webhook_is_local(conversation):
    webhook = add_trigger(conversation, "help")
    assert conversation_webhook_remove(conversation_webhook=webhook) is None
    assert not ConversationWebhook.objects.exists()
    assert list(SyncOperation.objects.values_list("operation", "state")) == [("conversation_webhook.add", "cancelled")]


def test_a_trigger_without_url_names_the_field(conversation):
    with pytest.raises(ValidationError) as excinfo:
        conversation_webhook_add(conversation=conversation, target="trigger", triggers=["help"])
    assert "url" in excinfo.value.message_dict
