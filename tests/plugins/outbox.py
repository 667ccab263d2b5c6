"""The outbox against the live simulator: `sim` (fast retries, faults cleared after the test)
and `fail_next` (the next REST calls meet the faults named). Helpers: tests/sync/helpers.py."""

import pytest

from simulator.engine import ratelimit
from tests.sync.helpers import faults


@pytest.fixture
def sim(simulator, settings):
    """The live simulator, fresh rate-limit windows, and retries fast enough for tests."""
    settings.SYNC_RETRY_BASE_SECONDS = 0.05
    settings.SYNC_RETRY_CAP_SECONDS = 0.4
    ratelimit.reset()
    yield simulator
    faults(simulator, None)


@pytest.fixture
def fail_next(sim, monkeypatch, settings):
    """`fail_next("503", "lost_response", path="/Messages")`: the next matching REST
    calls meet these faults, in this order; later ones pass."""
    from simulator import faults as sim_faults

    settings.TWILIO_HTTP_TIMEOUT = 0.5

    def arm(*kinds, path: str = "", timeout_s: float = 1.0):
        faults(sim, {"rate": 1, "kinds": sorted(set(kinds)), "paths": [path] if path else [], "timeout_s": timeout_s})
        planned = list(kinds)
        monkeypatch.setattr(sim_faults, "_pick", lambda config: planned.pop(0) if planned else None)
        return planned

    return arm
