"""Fixtures of the simulator's own tests; `simulator` itself is shared (tests/plugins/simulator.py)."""

import pytest

from simulator.engine import delivery, events
from tests.simulator.capture import Capture
from tests.simulator.rest_helpers import EVENT_FUNCTIONS, EngineCalls, SimulatorApi, fake_deliver


@pytest.fixture
def capture():
    """A local webhook receiver (tests/simulator/capture.py)."""
    receiver = Capture()
    yield receiver
    receiver.close()


@pytest.fixture
def api(simulator):
    return SimulatorApi(simulator.api_base)


@pytest.fixture
def engine_calls(monkeypatch):
    """Replaces events.* and delivery.deliver (another engineer's work) with recorders."""
    calls = EngineCalls()
    for name in EVENT_FUNCTIONS:

        def record(*args, _name=name, **kwargs):
            first = args[0] if args else None
            if _name == "state_event":
                first = (kwargs["state_from"], kwargs["state_to"], kwargs["reason"])
            calls.events.append((_name, first))

        monkeypatch.setattr(events, name, record)
    monkeypatch.setattr(delivery, "deliver", fake_deliver(calls))
    return calls
