"""A live simulator for end-to-end tests: real HTTP, the real twilio SDK.

`simulator` starts Django's live server (the same project: console and
simulator side by side, as `make run` serves them) and points the console's
Twilio settings at it.
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
    return LiveSimulator(url=live_server.url)
