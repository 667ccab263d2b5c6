"""Twilio's REST errors, as the simulator raises and answers them.

A leaf module (Django only): the endpoint decorator (api/common.py), the rate
limit (engine/ratelimit.py), fault injection (faults.py) and the engine's rules
all answer errors in Twilio's shape without importing each other.
"""

from django.http import JsonResponse


class TwilioError(Exception):
    """Raised by views and the engine; `api.common.twilio_endpoint` answers it with `error_response`."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: int, message: str, headers: dict | None = None) -> JsonResponse:
    """Twilio's error body: `{code, message, more_info, status}`."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
