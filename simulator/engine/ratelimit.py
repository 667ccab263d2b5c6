"""Twilio's Conversations rate limit: 30 actions per second per conversation
(conversation update; participant create/update/delete; message
create/update/delete) and per service (conversation create/delete).

A sliding 1-second window per scope, in this process's memory: the
simulator is served by one process, and a window must not cost a database
write per request. A request over the limit gets Twilio's 429 / 20429 with
`Retry-After: 1` and is not processed. Only requests the API carried out
count as actions: one that failed (4xx/5xx) gives its slot back.

`stats()` feeds GET /simulator/_control/ratelimit, so a benchmark can count
the 429s a client caused itself.
"""

import re
import threading
import time
from collections import deque
from functools import wraps

from django.conf import settings

from simulator.api.errors import error_response

WINDOW_SECONDS = 1.0  # Twilio's: per second (SIMULATOR_RATE_WINDOW_SECONDS may widen it for tests)
SERVICE_SCOPE = "service:default"  # the short paths' service (the account's default)
_PATH = re.compile(
    r"/conversations/v1/(?:Services/(?P<service>[^/]+)/)?"
    r"Conversations(?:/(?P<sid>[^/]+)(?:/(?P<child>Participants|Messages)(?:/[^/]+)?)?)?/?$"
)
_lock = threading.Lock()
_windows: dict[str, deque] = {}
_state = {"rate_limited": 0, "checks": 0}


def limit() -> int:
    """SIMULATOR_RATE_LIMIT actions per window; 0 turns the limit off."""
    return settings.SIMULATOR_RATE_LIMIT


def window_seconds() -> float:
    """The window's length: Twilio's second, unless SIMULATOR_RATE_WINDOW_SECONDS says otherwise (a test
    on a loaded machine widens it, so whether a request is over the limit depends on the count only)."""
    return float(getattr(settings, "SIMULATOR_RATE_WINDOW_SECONDS", WINDOW_SECONDS))


def scope_of(method: str, path: str) -> str | None:
    """Which 30/s budget a request draws from; None for reads and unlimited writes."""
    match = _PATH.search(path)
    if match is None or method not in ("POST", "DELETE"):
        return None
    sid, child = match["sid"], match["child"]
    service = f"service:{match['service']}" if match["service"] else SERVICE_SCOPE
    if sid is None:
        return service if method == "POST" else None  # conversation create
    if child is None and method == "DELETE":
        return service  # conversation delete
    return f"conversation:{sid}"  # conversation update, participants, messages


def _reserve(scope: str, now: float) -> bool:
    with _lock:
        _state["checks"] += 1
        if _state["checks"] % 1000 == 0:
            _forget_idle(now)
        window = _windows.setdefault(scope, deque())
        while window and window[0] <= now - window_seconds():
            window.popleft()
        if len(window) >= limit():
            _state["rate_limited"] += 1
            return False
        window.append(now)
        return True


def _release(scope: str, stamp: float) -> None:
    with _lock:
        window = _windows.get(scope)
        if window is not None and stamp in window:
            window.remove(stamp)


def _forget_idle(now: float) -> None:
    for scope in [s for s, w in _windows.items() if not w or w[-1] <= now - window_seconds()]:
        del _windows[scope]


def limited(view):
    """Wraps a REST view (inside twilio_endpoint, after auth and faults)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = scope_of(request.method, request.path) if limit() > 0 else None
        if scope is None:
            return view(request, *args, **kwargs)
        stamp = time.monotonic()
        if not _reserve(scope, stamp):
            return _too_many()
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            _release(scope, stamp)
            raise
        if response.status_code >= 400:
            _release(scope, stamp)
        return response

    return wrapper


def _too_many():
    message = f"Too Many Requests: more than {limit()} actions per second"
    return error_response(429, 20429, message, {"Retry-After": "1"})


def stats() -> dict:
    with _lock:
        return {"limit": limit(), "window_s": window_seconds(), "rate_limited": _state["rate_limited"]}


def reset() -> None:
    """Forgets every window and zeroes the counter (tests, benchmarks)."""
    with _lock:
        _windows.clear()
        _state["rate_limited"] = 0
