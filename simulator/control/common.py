"""What every control endpoint shares: the simulated-mode gate, bodies, JSON answers.

The control API moves the simulated world (phones, clock, faults), so it
exists only while the console runs simulated; it needs no Basic auth, like
a phone needs no Twilio credentials.
"""

import json
import re
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from simulator.api.errors import TwilioError


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def body(request) -> dict:
    """Form-encoded or JSON: both are accepted, JSON when the content type says so."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise ControlError(400, f"Invalid JSON body: {exc}") from exc
        if not isinstance(data, dict):
            raise ControlError(400, "The JSON body must be an object")
        return data
    return {key: values if len(values) > 1 else values[0] for key, values in request.POST.lists()}


def control_endpoint(methods, *, atomic=True):
    """Gate + method check + errors as JSON. `atomic=False` for views that wait
    on the webhook thread: under SQLite a transaction would hold the write lock
    the thread needs."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not settings.TWILIO_SIMULATED:
                return JsonResponse(
                    {"error": "The simulator control API is only available when TWILIO_SIMULATED is true."},
                    status=403,
                )
            if request.method not in methods:
                return JsonResponse(
                    {"error": f"Method {request.method} not allowed; use {', '.join(methods)}"}, status=405
                )
            try:
                if atomic:
                    with transaction.atomic():
                        return view(request, *args, **kwargs)
                return view(request, *args, **kwargs)
            except ControlError as exc:
                return JsonResponse({"error": exc.message}, status=exc.status)
            except TwilioError as exc:
                return JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)

        return wrapper

    return decorate


def boolean(value, name: str) -> bool:
    """A switch as JSON or a form sends it (true/false, 1/0, yes/no, on/off); anything else is a 400."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ControlError(400, f"{name} must be true or false")


def number(data: dict, name: str, default=None, *, minimum=None, maximum=None) -> float | None:
    value = data.get(name, default)
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be a number") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ControlError(400, f"{name} must be between {minimum} and {maximum}")
    return value


_LOST_PLUS = re.compile(r"^(whatsapp:)? (\d+)$")


def phone_address(data: dict, name: str) -> str:
    """A phone address from a body. An unencoded "+" in a form body arrives as a
    space (`curl -d To=+1555...`): put it back rather than fail."""
    value = str(data.get(name) or "")
    match = _LOST_PLUS.match(value)
    return f"{match.group(1) or ''}+{match.group(2)}" if match else value.strip()
