"""A tiny HTTP receiver for the simulator's webhooks: records every request, answers as told."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator


@dataclass
class Captured:
    method: str
    url: str  # as requested, query string included
    headers: dict
    body: str
    received_at: float
    params: MultiValueDict = field(default_factory=MultiValueDict)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def param(self, name):
        return self.params.get(name)

    def signature_valid(self) -> bool:
        """What the console does: RequestValidator over the URL and the form parameters."""
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        signature = self.headers.get("X-Twilio-Signature", "")
        return validator.validate(self.url, {} if self.method == "GET" else self.params, signature)


class Capture:
    def __init__(self):
        self.requests: list[Captured] = []
        self.delays: dict[str, float] = {}  # path -> seconds before answering
        self.statuses: dict[str, int] = {}  # path -> status to answer
        self._changed = threading.Condition()
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                url = f"{capture.url}{self.path}"
                query = urlsplit(self.path).query
                pairs = parse_qsl(body if self.command == "POST" else query, keep_blank_values=True)
                params = MultiValueDict()
                for key, value in pairs:
                    params.appendlist(key, value)
                path = urlsplit(self.path).path
                time.sleep(capture.delays.get(path, 0))
                item = Captured(self.command, url, dict(self.headers.items()), body, time.monotonic(), params)
                try:
                    self.send_response(capture.statuses.get(path, 200))
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the simulator gave up waiting
                with capture._changed:
                    capture.requests.append(item)
                    capture._changed.notify_all()

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def hook(self, path: str = "/hook") -> str:
        return self.url + path

    def received(self, *, path: str | None = None, event_type: str | None = None) -> list[Captured]:
        with self._changed:
            items = list(self.requests)
        return [
            r
            for r in items
            if (path is None or r.path == path) and (event_type is None or r.param("EventType") == event_type)
        ]

    def wait_for(self, count: int = 1, timeout: float = 10, **filters) -> list[Captured]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received_unlocked(**filters)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
        return self.received(**filters)

    def received_unlocked(self, *, path=None, event_type=None):
        return [
            r
            for r in self.requests
            if (path is None or r.path == path) and (event_type is None or r.param("EventType") == event_type)
        ]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
