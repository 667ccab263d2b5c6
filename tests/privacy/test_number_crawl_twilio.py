"""What the console writes on Twilio, where masking cannot reach: a pairing's conversation carries
its pairing id, never the two numbers (attributes, friendly name), read back from the live simulator
through the console's gateway (twilio-python over HTTP)."""

import json

import pytest

from conversations_ops.models import Conversation, OperationState, SyncOperation
from conversations_ops.outbox.runner import sync_push_due
from conversations_ops.pairings.actions import pairing_start
from conversations_ops.twilio import gateway
from tests.audit.helpers import pairing_request
from tests.privacy.numbers import whole_numbers_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_pairing_writes_its_id_not_the_numbers_into_the_conversation(seeded, django_user_model):
    staff = django_user_model.objects.create_user(username="olga", password="pw", is_staff=True)
    pairing = pairing_start(request=pairing_request(seeded), user=staff)
    assert json.loads(pairing.conversation.attributes) == {"pairing_id": pairing.pk}  # what the push sends
    create = SyncOperation.objects.get(operation="conversation.create")
    sync_push_due()
    conversation = Conversation.objects.get(pk=pairing.conversation_id)
    assert SyncOperation.objects.get(pk=create.pk).state == OperationState.SUCCEEDED
    on_twilio = gateway.conversation_fetch(sid=conversation.sid)
    assert json.loads(on_twilio.attributes) == {"pairing_id": pairing.pk}
    assert on_twilio.friendly_name == f"Pairing #{pairing.pk}"
    assert not whole_numbers_in(f"{on_twilio.attributes} {on_twilio.friendly_name} {conversation.attributes}")
