"""`simulator`: the live simulator for end-to-end tests: real HTTP, the real twilio SDK.

It starts Django's live server (the same project: console and simulator side by side,
as `make run` serves them) and points the console's Twilio settings at it.
"""

from dataclasses import dataclass

import pytest


@dataclass
class LiveSimulator:
    url: str  # e.g. http://localhost:34567 (the whole server)

    @property
    def api_base(self) -> str:
        return f"{self.url}/simulator"


@pytest.fixture
def simulator(live_server, settings):
    settings.TWILIO_API_BASE_URL = f"{live_server.url}/simulator"
    settings.PUBLIC_BASE_URL = live_server.url
    from simulator.engine import ratelimit

    ratelimit.reset()  # its windows live in this process's memory and would outlast the test's database
    yield LiveSimulator(url=live_server.url)
    # Receipt steps stop being applied, and webhooks still queued leave, before the test
    # database is flushed.
    from simulator.engine import receipt_schedule, webhooks_out

    receipt_schedule.stop_ticker()
    webhooks_out.drain(timeout=15)
