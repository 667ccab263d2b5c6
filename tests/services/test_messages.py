import json

import pytest
from django.core.exceptions import ValidationError

from conversations_ops.models import Conversation, Message, SyncOperation
from conversations_ops.services.messages import message_send
from tests.helpers.ids import make_sid
from tests.services.helpers import key_of, ops_of

pytestmark = pytest.mark.django_db


def test_send_text_writes_an_outbound_system_message_and_one_send(conversation, admin_user):
    message = message_send(conversation=conversation, body="Your courier is 5 minutes away", user=admin_user)
    (op,) = ops_of(message)
    assert (message.direction, message.author, message.sync_state) == ("outbound", "system", "pending")
    assert (op.operation, op.ordering_key, op.requested_by) == ("message.send", key_of(conversation), admin_user)


def test_send_template_encodes_variables_as_json(conversation):
    variables = {"1": "Robert O'Neil", "2": 'say "hi"'}
    message = message_send(conversation=conversation, content_sid=make_sid("HX"), content_variables=variables)
    assert json.loads(message.content_variables) == variables


def test_send_media(conversation):
    message = message_send(conversation=conversation, media_sid=make_sid("ME"), author="whatsapp:+14155550100")
    assert (message.media_sid, message.author) == (make_sid("ME"), "whatsapp:+14155550100")


def test_an_empty_message_is_a_body_error_and_writes_nothing(conversation):
    with pytest.raises(ValidationError) as excinfo:
        message_send(conversation=conversation)
    assert "body" in excinfo.value.message_dict
    assert not Message.objects.exists() and not SyncOperation.objects.exists()


def test_variables_that_are_not_text_name_the_field(conversation):
    with pytest.raises(ValidationError) as excinfo:
        message_send(conversation=conversation, content_sid=make_sid("HX"), content_variables={"1": 5})
    assert "content_variables" in excinfo.value.message_dict


def test_a_template_with_a_body_is_refused(conversation):
    with pytest.raises(ValidationError) as excinfo:
        message_send(conversation=conversation, content_sid=make_sid("HX"), body="ignored by Twilio")
    assert "body" in excinfo.value.message_dict


def test_sending_to_a_closed_conversation_is_refused(conversation):
    Conversation.objects.filter(pk=conversation.pk).update(state="closed")
    conversation.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        message_send(conversation=conversation, body="Hello?")
    assert "closed" in excinfo.value.message_dict["conversation"][0]
    assert not Message.objects.exists()
