import pytest
import requests
from django.core.management import CommandError, call_command

from conversations_ops.services import account_webhooks
from conversations_ops.services.account_webhooks import ACCOUNT_WEBHOOK_FILTERS, account_webhooks_configure
from conversations_ops.twilio import gateway


def test_configure_sends_the_console_url_and_filters(monkeypatch, settings):
    settings.PUBLIC_BASE_URL = "https://ops.example.com/"
    calls = []
    monkeypatch.setattr(account_webhooks.gateway, "account_webhooks_update", lambda **kw: calls.append(kw))
    account_webhooks_configure()
    assert calls == [
        {
            "method": "POST",
            "filters": list(ACCOUNT_WEBHOOK_FILTERS),
            "pre_webhook_url": "",
            "post_webhook_url": "https://ops.example.com/webhooks/twilio/conversations/",
            "target": "webhook",
        }
    ]


@pytest.mark.slow
def test_command_points_the_simulated_account_at_the_console(simulator, capsys):
    gateway.account_webhooks_update(post_webhook_url="https://elsewhere.example.com/hook", filters=["onMessageAdded"])
    call_command("twilio_configure_webhooks")
    remote = gateway.account_webhooks_fetch()
    assert remote.post_webhook_url == f"{simulator.url}/webhooks/twilio/conversations/"
    assert set(remote.filters) == set(ACCOUNT_WEBHOOK_FILTERS)
    assert (remote.method, remote.target, remote.pre_webhook_url) == ("POST", "webhook", None)
    assert f"{simulator.url}/webhooks/twilio/conversations/" in capsys.readouterr().out


@pytest.mark.slow
def test_command_fails_with_the_explained_error(simulator):
    faults = f"{simulator.api_base}/_control/faults"
    requests.post(faults, json={"rate": 1, "kinds": ["429"]}, timeout=5).raise_for_status()
    try:
        with pytest.raises(CommandError) as excinfo:
            call_command("twilio_configure_webhooks")
    finally:
        requests.delete(faults, timeout=5)
    assert "Too many requests" in str(excinfo.value)
    assert "wait a minute" in str(excinfo.value)
    assert "https://www.twilio.com/docs/errors/20429" in str(excinfo.value)
    assert excinfo.value.returncode != 0
