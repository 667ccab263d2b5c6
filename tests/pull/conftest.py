import pytest

from conversations_ops.twilio import gateway


class Requests:
    """Every URL the gateway asked for, in order."""

    def __init__(self):
        self.urls = []

    def to(self, fragment: str) -> list[str]:
        return [url for url in self.urls if fragment in url]


@pytest.fixture
def requests_made(monkeypatch):
    seen = Requests()
    original = gateway._RoutingHttpClient.request

    def recording(self, method, url, *args, **kwargs):
        seen.urls.append(f"{method} {self.route(url)}")
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(gateway._RoutingHttpClient, "request", recording)
    return seen
