"""twilio/reads.py: staff's synchronous reads retried on 429/5xx/no answer, Retry-After capped,
4xx at once, and only reads go through it (the outbox's pushes keep their own policy)."""

import ast
from pathlib import Path

import pytest

from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.reads import read_failure_line, read_with_retries

PRODUCT = Path(__file__).resolve().parents[1] / "conversations_ops"


@pytest.fixture(autouse=True)
def read_settings(settings):
    settings.TWILIO_READ_ATTEMPTS = 3
    settings.TWILIO_READ_BUDGET_SECONDS = 5.0
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0.01
    settings.TWILIO_READ_RETRY_AFTER_CAP_SECONDS = 2.0


def failing(*errors, answer="answer"):
    """A call that raises `errors` in turn, then answers; `.calls` counts the tries."""
    pending = list(errors)

    def call():
        call.calls += 1
        if pending:
            raise pending.pop(0)
        return answer

    call.calls = 0
    return call


def http(status, code=None, retry_after=None):
    return GatewayError(status=status, code=code, message="boom", retry_after=retry_after)


def no_answer(kind="timeout"):
    return GatewayError(status=None, code=None, message="no answer", kind=kind)


@pytest.mark.parametrize(
    "error", [http(503, 20503), http(500, 20500), http(429, 20429), no_answer("timeout"), no_answer("connection")]
)
def test_a_passing_failure_is_tried_again_and_the_answer_returned(error):
    call, waits = failing(error), []
    assert read_with_retries(call, sleep=waits.append) == "answer"
    assert call.calls == 2 and waits == [0.01]


def test_without_retry_after_the_wait_doubles():
    call, waits = failing(http(503), http(503)), []
    assert read_with_retries(call, sleep=waits.append) == "answer"
    assert waits == [0.01, 0.02]


def test_retry_after_is_honoured_and_capped(settings):
    call, waits = failing(http(429, 20429, retry_after=1.5), http(429, 20429, retry_after=30.0)), []
    assert read_with_retries(call, sleep=waits.append) == "answer"
    assert waits == [1.5, settings.TWILIO_READ_RETRY_AFTER_CAP_SECONDS]


def test_a_wait_that_would_end_after_the_budget_is_not_made(settings):
    settings.TWILIO_READ_BUDGET_SECONDS = 1.0
    call, waits = failing(http(429, 20429, retry_after=1.5)), []
    with pytest.raises(GatewayError) as caught:
        read_with_retries(call, sleep=waits.append)
    assert call.calls == 1 and waits == [] and caught.value.read_attempts == 1


def test_a_read_that_keeps_failing_stops_after_the_attempts_and_says_twilio_did_not_answer():
    call, waits = failing(*[http(503, 20503)] * 5), []
    with pytest.raises(GatewayError) as caught:
        read_with_retries(call, sleep=waits.append)
    assert call.calls == 3 and len(waits) == 2
    line = read_failure_line(caught.value)
    assert line.startswith("Twilio did not answer (503, 3 tries)") and "try again in a minute" in line
    assert "correct the record" not in line.lower()


@pytest.mark.parametrize("error", [http(404, 20404), http(400, 21211), http(401, 20003)])
def test_a_refusal_is_not_retried_and_is_explained_as_before(error):
    call, waits = failing(error), []
    with pytest.raises(GatewayError):
        read_with_retries(call, sleep=waits.append)
    assert call.calls == 1 and waits == []
    assert not read_failure_line(error).startswith("Twilio did not answer")


def _callers_of_read_with_retries() -> set[str]:
    callers = set()
    for path in PRODUCT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "read_with_retries":
                callers.add(str(path.relative_to(PRODUCT)))
    return callers


def test_only_reads_are_retried_by_the_helper():
    """Writes must not be repeated blindly: the helper wraps the staff reads, nothing in the push path."""
    assert _callers_of_read_with_retries() == {
        "pairings/preflight.py",
        "pull/configuration.py",  # GET /v1/Configuration
        "pull/listing.py",
        "pull/runner.py",
        "selectors/senders.py",  # the address form's sender lists
        "selectors/account_lists.py",  # the address form's Studio flows and Conversation Services
    }
    for package in ("outbox", "services"):
        for path in (PRODUCT / package).rglob("*.py"):
            assert "twilio.reads" not in path.read_text(), path
