"""Fault injection for the REST API (tests and benchmarks).

Configured through the control API and stored in SimFaults (pk=1), so every
process serving the API obeys it. Called by `api.common.twilio_endpoint` for
every REST call after authentication:
- "429", "500", "503": answered at once with Twilio's error body; the request
  is NOT processed (Twilio: a 429 is never processed and safe to retry);
- "timeout": held for `timeout_s`, then 504; NOT processed (the client gave up);
- "lost_response": processed and committed, then the answer is held for
  `timeout_s`, so the client times out although the resource exists;
- "reset": the TCP connection is shut down without an answer; NOT processed.
"""

import random
import socket
import struct
import time

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse

from simulator.api.errors import error_response
from simulator.models import SimFaults

KINDS = ("429", "500", "503", "timeout", "lost_response", "reset")
_ERRORS = {
    "429": (20429, "Too Many Requests"),
    "500": (20500, "Internal Server Error"),
    "503": (20503, "Service Unavailable"),
    "timeout": (20504, "Gateway Timeout"),
}
# One generator per configuration (its "token"), so a seeded run is reproducible.
_rngs: dict[str, random.Random] = {}


def current() -> dict:
    return SimFaults.objects.filter(pk=1).values_list("config", flat=True).first() or {}


def configure(config: dict) -> dict:
    """Replaces the fault settings (already validated) and zeroes the counters."""
    config = {**config, "token": f"{time.time_ns()}", "counters": {kind: 0 for kind in KINDS}}
    SimFaults.objects.update_or_create(pk=1, defaults={"config": config})
    return config


def clear() -> dict:
    """No more faults; the counters stay readable until the next configure."""
    config = {"counters": current().get("counters", {})}
    SimFaults.objects.update_or_create(pk=1, defaults={"config": config})
    return config


def hold_seconds(config: dict) -> float:
    # Longer than the console's client timeout unless told otherwise.
    return float(config.get("timeout_s") or settings.TWILIO_HTTP_TIMEOUT + 1)


def before_request(request):
    """A response to send instead of handling the request, or None."""
    config = current()
    if not config.get("kinds") and not config.get("latency_ms"):
        return None
    paths = config.get("paths") or []
    if paths and not any(p in request.path for p in paths):
        return None
    if config.get("latency_ms"):
        time.sleep(config["latency_ms"] / 1000)
    kind = _pick(config)
    if kind is None:
        return None
    _count(kind)
    if kind in ("429", "500", "503"):
        return _error(kind, {"Retry-After": "1"} if kind == "429" else None)
    if kind == "timeout":
        time.sleep(hold_seconds(config))
        return _error(kind)
    if kind == "lost_response":
        request.simulator_hold_seconds = hold_seconds(config)
        return None
    return _reset(request)


def after_request(request, response):
    hold = getattr(request, "simulator_hold_seconds", None)
    if hold:
        time.sleep(hold)  # committed already; the client stops waiting meanwhile
    return response


def _pick(config: dict):
    rate, kinds = float(config.get("rate") or 0), config.get("kinds") or []
    if rate <= 0 or not kinds:
        return None
    token = config.get("token", "")
    rng = _rngs.get(token)
    if rng is None:
        rng = _rngs[token] = random.Random(config.get("seed"))
    return rng.choice(kinds) if rng.random() < rate else None


def _count(kind: str) -> None:
    with transaction.atomic():
        row = SimFaults.objects.select_for_update().filter(pk=1).first()
        if row is not None:
            counters = row.config.setdefault("counters", {})
            counters[kind] = counters.get(kind, 0) + 1
            row.save(update_fields=["config"])


def _error(kind: str, headers=None):
    code, message = _ERRORS[kind]
    return error_response(int(kind) if kind.isdigit() else 504, code, message, headers)


def _socket_of(request):
    """The client connection under gunicorn or Django's own (dev/live) server.

    gunicorn puts it in the environ; Django's server only exposes the socket
    file it reads the body from, wrapped in LimitedStream -> BufferedReader ->
    SocketIO, so that chain is followed down to the socket.
    """
    environ = request.META
    if isinstance(environ.get("gunicorn.socket"), socket.socket):
        return environ["gunicorn.socket"]
    layer = environ.get("wsgi.input")
    for _ in range(6):
        if isinstance(layer, socket.socket):
            return layer
        reader = getattr(getattr(layer, "_read", None), "__self__", None)  # Django's LimitedStream
        layer = getattr(layer, "_sock", None) or getattr(layer, "raw", None) or getattr(layer, "stream", None) or reader
    return None


def _reset(request):
    sock = _socket_of(request)
    if sock is None:
        # Unknown server (e.g. ASGI): the closest we can do is an empty 502.
        return HttpResponse(status=502)
    try:
        # Linger 0: the server's own close() afterwards sends a RST.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    # Never reaches the client; the server's write fails quietly (broken pipe).
    # 444 (nginx's "closed without response") keeps the server log truthful.
    return HttpResponse(status=444, reason="Connection Closed Without Response")
