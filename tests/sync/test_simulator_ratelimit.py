"""The simulator enforces Twilio's 30 actions/s per conversation and per service."""

import pytest
import requests

from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from simulator.engine.ratelimit import SERVICE_SCOPE, scope_of
from tests.sync.helpers import rate_limited

CH = "CH" + "a" * 32
IS = "IS" + "b" * 32


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("POST", "/simulator/conversations/v1/Conversations", SERVICE_SCOPE),
        ("DELETE", f"/simulator/conversations/v1/Conversations/{CH}", SERVICE_SCOPE),
        ("POST", f"/simulator/conversations/v1/Conversations/{CH}", f"conversation:{CH}"),
        ("POST", f"/simulator/conversations/v1/Conversations/{CH}/Participants", f"conversation:{CH}"),
        ("POST", f"/simulator/conversations/v1/Conversations/{CH}/Participants/MB1", f"conversation:{CH}"),
        ("DELETE", f"/simulator/conversations/v1/Conversations/{CH}/Messages/IM1", f"conversation:{CH}"),
        ("GET", f"/simulator/conversations/v1/Conversations/{CH}/Messages", None),
        ("GET", "/simulator/conversations/v1/Conversations", None),
        ("POST", f"/simulator/conversations/v1/Conversations/{CH}/Webhooks", None),
        ("POST", "/simulator/conversations/v1/Configuration/Addresses", None),
        # Another Conversation Service has its own per-service budget; its conversations count as usual.
        ("POST", f"/simulator/conversations/v1/Services/{IS}/Conversations", f"service:{IS}"),
        ("DELETE", f"/simulator/conversations/v1/Services/{IS}/Conversations/{CH}", f"service:{IS}"),
        ("POST", f"/simulator/conversations/v1/Services/{IS}/Conversations/{CH}/Messages", f"conversation:{CH}"),
        ("GET", f"/simulator/conversations/v1/Services/{IS}/Conversations", None),
        ("POST", "/simulator/conversations/v1/Services", None),
    ],
)
def test_which_requests_count_and_against_what(method, path, scope):
    assert scope_of(method, path) == scope


def _send(conversation_sid, n):
    outcomes = []
    for k in range(n):
        try:
            gateway.message_create(conversation_sid=conversation_sid, body=f"#{k}")
            outcomes.append("ok")
        except GatewayError as error:
            assert (error.status, error.code, error.retry_after) == (429, 20429, 1.0)
            outcomes.append("429")
    return outcomes


@pytest.mark.slow
def test_over_the_limit_a_conversation_gets_429_with_retry_after(sim, settings):
    settings.SIMULATOR_RATE_LIMIT = 5  # 30 in a second is more than this machine's test server does
    settings.SIMULATOR_RATE_WINDOW_SECONDS = 120  # a loaded machine's 8 requests may take over a second
    busy, quiet = gateway.conversation_create().sid, gateway.conversation_create().sid
    outcomes = _send(busy, 8)
    assert outcomes[:5] == ["ok"] * 5 and "429" in outcomes[5:]
    assert _send(quiet, 1) == ["ok"]  # another conversation has its own window
    assert list(gateway.message_list(conversation_sid=busy))  # reads are never limited
    assert rate_limited(sim) == outcomes.count("429")
    assert requests.delete(f"{sim.api_base}/_control/ratelimit", timeout=10).json()["rate_limited"] == 0


@pytest.mark.slow
def test_conversation_creates_share_the_service_window(sim, settings):
    settings.SIMULATOR_RATE_LIMIT = 3
    settings.SIMULATOR_RATE_WINDOW_SECONDS = 120
    for _ in range(3):
        gateway.conversation_create()
    with pytest.raises(GatewayError) as caught:
        gateway.conversation_create()
    assert caught.value.status == 429


@pytest.mark.slow
def test_refused_requests_give_their_slot_back(sim, settings):
    settings.SIMULATOR_RATE_LIMIT = 0  # off while the conversation is made
    sid = gateway.conversation_create().sid
    settings.SIMULATOR_RATE_LIMIT = 2
    settings.SIMULATOR_RATE_WINDOW_SECONDS = 120
    for _ in range(3):
        with pytest.raises(GatewayError) as caught:
            gateway.message_create(conversation_sid=sid, body="x" * (32 * 1024 + 1))  # 50504: not an action
        assert caught.value.status == 400
    assert _send(sid, 2) == ["ok", "ok"]
