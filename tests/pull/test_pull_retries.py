"""Staff's "Pull from Twilio" and "Sync templates" against a flaky Twilio (simulator faults, the
real twilio SDK): a passing 429/5xx is tried again, a 404 is not, one that stays is explained."""

import pytest

from conversations_ops.messaging.template_sync import template_sync_all
from conversations_ops.models import Conversation, SyncState, Template
from conversations_ops.pull.actions import mirror_rows_pull
from conversations_ops.pull.runner import pull_conversation, twilio_pull
from conversations_ops.twilio.gateway import GatewayError
from simulator.models import SimConversation
from tests.helpers.ids import make_sid

from . import sim_state

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def quick_reads(settings):
    settings.TWILIO_READ_ATTEMPTS = 3
    settings.TWILIO_READ_BUDGET_SECONDS = 5.0
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0.01
    settings.TWILIO_READ_RETRY_AFTER_CAP_SECONDS = 0.05


def test_pull_from_twilio_on_chosen_rows_rides_out_a_503_on_each_read(simulator, fail_next, settings):
    settings.TWILIO_HTTP_TIMEOUT = 10.0  # no timeouts injected here: a slow first answer is no fault
    sim_conv = sim_state.conversation(messages=2)
    twilio_pull(resources=["conversations"])
    SimConversation.objects.filter(pk=sim_conv.pk).update(friendly_name="Renamed on Twilio")
    # The conversation's fetch, then its participants' page, then its messages' page: each fails once
    # (None: that request passes).
    planned = fail_next("503", "429", path=sim_conv.sid)
    planned[:] = ["503", None, "503", None, "429"]

    report = mirror_rows_pull(rows=Conversation.objects.filter(sid=sim_conv.sid))

    assert (report.succeeded, report.failures) == (1, []), report.failures
    assert planned == []
    conv = Conversation.objects.get(sid=sim_conv.sid)
    assert conv.friendly_name == "Renamed on Twilio"
    assert conv.participants.count() == 3 and conv.messages.count() == 2


def test_pull_from_twilio_that_keeps_failing_says_try_again_not_correct_the_record(simulator, fail_next, settings):
    settings.TWILIO_HTTP_TIMEOUT = 10.0
    sim_conv = sim_state.conversation()
    twilio_pull(resources=["conversations"])
    fail_next(*["503"] * 3, path=sim_conv.sid)

    report = mirror_rows_pull(rows=Conversation.objects.filter(sid=sim_conv.sid))

    assert report.succeeded == 0 and len(report.failures) == 1
    assert "Twilio did not answer (503, 3 tries)" in report.failures[0]
    assert "try again in a minute" in report.failures[0]
    assert "correct the record" not in report.failures[0].lower()
    assert Conversation.objects.get(sid=sim_conv.sid).sync_state != SyncState.DELETED_REMOTELY


def test_a_404_is_not_retried(simulator, requests_made):
    gone = Conversation.objects.create(sid=make_sid("CH", 404), friendly_name="Never on Twilio")

    pull_conversation(conversation=gone)

    gone.refresh_from_db()
    assert gone.sync_state == SyncState.DELETED_REMOTELY
    assert len(requests_made.to(gone.sid)) == 1


def test_sync_templates_rides_out_a_503_on_the_listing(simulator, fail_next, settings):
    settings.TWILIO_HTTP_TIMEOUT = 10.0
    sim_state.content()
    planned = fail_next("503", path="/ContentAndApprovals")

    result = template_sync_all()

    assert planned == [] and result.summary.complete
    assert result.summary.resources["templates"].items == Template.objects.count() == 1


def test_the_scheduled_pull_leaves_retrying_to_its_next_run(simulator, fail_next, settings):
    """Its page loop is not retried here: it stops, and the next run resumes from the checkpoint."""
    settings.TWILIO_HTTP_TIMEOUT = 10.0
    fail_next("503", path="/Conversations")
    with pytest.raises(GatewayError):
        twilio_pull(resources=["conversations"])
