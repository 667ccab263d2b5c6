"""Pre-flight against a flaky Twilio (the simulator's faults, the real twilio SDK): a passing
429/5xx/timeout is tried again; one that stays says Twilio did not answer, never "correct the record"."""

import time

import pytest

from conversations_ops.models import Pairing
from conversations_ops.pairings.actions import PairingRefused, pairing_start
from conversations_ops.pairings.preflight import PairingRequest, pairing_preflight
from conversations_ops.twilio import reads
from tests.helpers.pairings import COURIER, CUSTOMER, ROBERT_ALICIA

pytestmark = pytest.mark.slow

PATH = "/ParticipantConversations"


@pytest.fixture(autouse=True)
def quick_reads(settings):
    settings.TWILIO_READ_ATTEMPTS = 3
    settings.TWILIO_READ_BUDGET_SECONDS = 5.0
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0.01
    settings.TWILIO_READ_RETRY_AFTER_CAP_SECONDS = 0.05


@pytest.fixture
def delays(monkeypatch):
    """Every wait read_with_retries chose, with the Retry-After Twilio sent."""
    seen = []
    original = reads.read_delay

    def recording(exc, attempt):
        delay = original(exc, attempt)
        seen.append((exc.status, exc.retry_after, delay))
        return delay

    monkeypatch.setattr(reads, "read_delay", recording)
    return seen


def _request(seeded) -> PairingRequest:
    return PairingRequest(
        sender=seeded["sender"],
        customer=CUSTOMER,
        courier=COURIER,
        invite_template=seeded["invite"].sid,
        invite_variables=ROBERT_ALICIA,
        connected_template=seeded["connected"].sid,
    )


@pytest.mark.parametrize("kind", ["503", "500", "timeout", "reset"])
def test_a_read_that_fails_once_is_tried_again_and_the_preflight_passes(seeded, fail_next, delays, kind):
    planned = fail_next(kind, path=PATH, timeout_s=1.0)

    preflight = pairing_preflight(request=_request(seeded))

    assert preflight.ok, preflight.reasons()
    assert planned == [] and len(delays) == 1


def test_retry_after_is_read_from_twilio_honoured_and_capped(seeded, fail_next, delays):
    fail_next("429", "429", path=PATH)
    started = time.monotonic()

    preflight = pairing_preflight(request=_request(seeded))

    assert preflight.ok, preflight.reasons()
    # The simulator sends Retry-After: 1 with its 429; the cap (0.05 s) wins.
    assert delays == [(429, 1.0, 0.05), (429, 1.0, 0.05)]
    assert time.monotonic() - started < 1.0


def test_a_read_that_keeps_failing_says_twilio_did_not_answer_not_correct_the_record(seeded, fail_next):
    fail_next(*["503"] * 3, path=PATH)

    with pytest.raises(PairingRefused) as refused:
        pairing_start(request=_request(seeded))

    reasons = refused.value.preflight.reasons()
    assert len(reasons) == 1, reasons  # the customer's read used the three tries; the courier's passed
    assert reasons[0].startswith("customer: Could not ask Twilio whether this number is free: Twilio did not answer")
    assert "(503, 3 tries)" in reasons[0] and "try again in a minute" in reasons[0]
    assert "correct the record" not in " ".join(reasons).lower()
    assert not Pairing.objects.exists()

    # A minute later Twilio answers: the same request starts.
    assert pairing_start(request=_request(seeded)).pk
