"""The outbox counts every 429 Twilio answers (the operation itself keeps only its last error)."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conversations_ops.health.counters import TWILIO_429, counter_value
from conversations_ops.models import Conversation, OperationState
from simulator.models import SimConversation
from tests.sync.helpers import queue

pytestmark = pytest.mark.slow


def test_each_429_is_counted_and_scraped(fail_next, client, settings):
    fail_next("429", "429", "500", path="/Conversations")
    op = queue(Conversation.objects.create(friendly_name="busy"), "conversation.create")
    assert (op.state, op.attempts) == (OperationState.SUCCEEDED, 3)
    assert SimConversation.objects.count() == 1
    assert counter_value(TWILIO_429) == 2  # the 500 is not one

    settings.METRICS_ENABLED, settings.METRICS_TOKEN = True, ""
    text = client.get("/metrics").content.decode()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert families["conversations_ops_outbox_twilio_429"].samples[0].value == 2
    assert families["conversations_ops_outbox_pushes_completed"].samples[0].value == 1
