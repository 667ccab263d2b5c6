"""The pull mirrors the account's /v1/Configuration (the real twilio SDK against the live simulator)."""

from io import StringIO

import pytest
from django.core.management import call_command

from conversations_ops.models import AccountConfiguration
from conversations_ops.pull.configuration import account_configuration_pull
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from simulator.engine import services as sim_services

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def quick_reads(settings):
    settings.TWILIO_READ_ATTEMPTS = 3
    settings.TWILIO_READ_BUDGET_SECONDS = 5.0
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0.01
    settings.TWILIO_READ_RETRY_AFTER_CAP_SECONDS = 0.05


def twilio_configuration():
    """The simulated account's /v1/Configuration, changed as staff would in Twilio's Console."""
    return gateway._client().conversations.v1.configuration()


def test_the_pull_mirrors_the_configuration_and_follows_its_changes(simulator):
    summary = twilio_pull(resources=["configuration"])
    row = AccountConfiguration.current()
    assert row.default_chat_service_sid == sim_services.DEFAULT_CHAT_SERVICE_SID
    assert row.default_messaging_service_sid == sim_services.DEFAULT_MESSAGING_SERVICE_SID
    assert (row.default_inactive_timer, row.default_closed_timer) == ("", "")
    assert summary.line("configuration").startswith("configuration: 1 read, 1 created")
    assert row.timer_warnings() == []

    again = twilio_pull(resources=["configuration"])
    assert (again.resources["configuration"].unchanged, again.changed) == (1, 0)

    twilio_configuration().update(default_closed_timer="PT10M", default_inactive_timer="PT5M")
    changed = twilio_pull(resources=["configuration"])
    assert changed.resources["configuration"].updated == 1
    row = AccountConfiguration.current()
    assert (row.default_inactive_timer, row.default_closed_timer) == ("PT5M", "PT10M")
    assert len(row.timer_warnings()) == 2

    twilio_configuration().update(default_closed_timer="")  # cleared on Twilio: cleared in the mirror
    twilio_pull(resources=["configuration"])
    assert AccountConfiguration.current().default_closed_timer == ""


def test_a_whole_pull_and_the_command_include_the_configuration(simulator):
    summary = twilio_pull()
    assert "configuration" in summary.resources and AccountConfiguration.current() is not None
    out = StringIO()
    call_command("twilio_pull", "--resources", "configuration", stdout=out, stderr=StringIO())
    assert "configuration: 1 read, 0 created, 0 updated, 1 unchanged" in out.getvalue()


def test_staff_reads_of_the_configuration_ride_out_a_503_the_schedule_does_not_retry(simulator, fail_next, settings):
    settings.TWILIO_HTTP_TIMEOUT = 10.0
    planned = fail_next("503", path="/v1/Configuration")
    planned[:] = ["503"]
    account_configuration_pull(retry_reads=True)
    assert planned == [] and AccountConfiguration.current() is not None

    planned = fail_next("503", path="/v1/Configuration")
    with pytest.raises(GatewayError) as caught:
        account_configuration_pull(retry_reads=False)
    assert caught.value.status == 503 and planned == []
