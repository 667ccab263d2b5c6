"""Fault injection, observed the way the console meets it: through the real gateway over HTTP."""

import time

import pytest

from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from simulator.models import SimConversation
from tests.simulator.engine_helpers import BUSINESS_SMS, CUSTOMER_SMS, control

pytestmark = pytest.mark.slow


def _faults(sim, **config):
    status, answer = control(sim, "faults", json=config)
    assert status == 200, answer
    return answer


def _counters(sim):
    return control(sim, "faults", "GET")[1]["counters"]


def _create_fails():
    with pytest.raises(GatewayError) as caught:
        gateway.conversation_create(friendly_name="faulty")
    return caught.value


@pytest.mark.parametrize(("kind", "status", "code"), [("429", 429, 20429), ("500", 500, 20500), ("503", 503, 20503)])
def test_error_answers_are_not_processed(simulator, kind, status, code):
    _faults(simulator, rate=1, kinds=[kind])
    error = _create_fails()
    assert (error.status, error.code, error.kind, error.retryable) == (status, code, "http", True)
    assert not SimConversation.objects.exists()
    assert _counters(simulator)[kind] == 1


def test_429_says_when_to_retry(simulator):
    _faults(simulator, rate=1, kinds=["429"])
    error = _create_fails()
    assert error.retry_after == 1.0
    assert "Too Many Requests" in error.message


def test_timeout_holds_the_call_past_the_clients_patience_and_does_nothing(simulator, settings):
    settings.TWILIO_HTTP_TIMEOUT = 0.5
    _faults(simulator, rate=1, kinds=["timeout"], timeout_s=1)
    started = time.monotonic()
    error = _create_fails()
    assert time.monotonic() - started < 0.95
    assert (error.status, error.kind, error.retryable, error.ambiguous) == (None, "timeout", True, True)
    time.sleep(0.8)  # the server has answered its 504 by now
    assert not SimConversation.objects.exists()


def test_lost_response_creates_the_resource_although_the_call_failed(simulator, settings):
    settings.TWILIO_HTTP_TIMEOUT = 0.5
    _faults(simulator, rate=1, kinds=["lost_response"], timeout_s=1)
    error = _create_fails()
    assert (error.kind, error.ambiguous) == ("timeout", True)
    (conversation,) = SimConversation.objects.all()  # committed before the answer was held
    assert conversation.friendly_name == "faulty"
    assert _counters(simulator)["lost_response"] == 1


def test_reset_drops_the_connection_without_an_answer(simulator):
    _faults(simulator, rate=1, kinds=["reset"])
    error = _create_fails()
    assert (error.status, error.kind, error.retryable) == (None, "connection", True)
    assert not SimConversation.objects.exists()
    control(simulator, "faults", "DELETE")
    assert gateway.conversation_create(friendly_name="after").sid.startswith("CH")  # the server lives on


def test_rate_zero_injects_nothing(simulator):
    _faults(simulator, rate=0, kinds=list(("429", "500", "503", "timeout", "lost_response", "reset")))
    for n in range(10):
        gateway.conversation_create(friendly_name=f"c{n}")
    assert SimConversation.objects.count() == 10
    assert set(_counters(simulator).values()) == {0}


def test_paths_limit_faults_to_matching_routes(simulator):
    _faults(simulator, rate=1, kinds=["500"], paths=["/Participants"])
    conversation = gateway.conversation_create()
    with pytest.raises(GatewayError) as caught:
        gateway.participant_create(
            conversation_sid=conversation.sid,
            messaging_binding_address=CUSTOMER_SMS,
            messaging_binding_proxy_address=BUSINESS_SMS,
        )
    assert caught.value.status == 500
    assert _counters(simulator)["500"] == 1


def test_latency_slows_only_matching_paths(simulator):
    _faults(simulator, latency_ms=600, paths=["/Conversations"])
    started = time.monotonic()
    gateway.conversation_create()
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    list(gateway.content_list())  # /simulator/content/v1/Content: no match
    assert time.monotonic() - started < 0.5


def _outcomes(sim, seed, calls=12):
    _faults(sim, rate=0.5, kinds=["429", "503"], seed=seed)
    outcomes = []
    for _ in range(calls):
        try:
            gateway.conversation_create()
            outcomes.append("ok")
        except GatewayError as exc:
            outcomes.append(str(exc.status))
    return outcomes


def test_a_seed_makes_the_faults_reproducible_and_counted(simulator):
    first = _outcomes(simulator, seed=42)
    counters = _counters(simulator)
    assert {"ok", "429", "503"} <= set(first) or len(set(first)) > 1  # a real mix, not all or nothing
    assert counters["429"] == first.count("429") and counters["503"] == first.count("503")
    assert _outcomes(simulator, seed=42) == first
