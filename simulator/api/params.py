"""Reading and checking request parameters the way Twilio does.

Each reader returns None when the parameter is absent, so views can tell "not
sent" from "sent empty" (an update only changes what was sent). Failures are
`TwilioError`s: 400 with code 20001 unless Twilio has a more specific code.
"""

import json
import re
from datetime import timedelta

from django.utils.dateparse import parse_datetime, parse_duration

from simulator.api.errors import TwilioError

# ISO-8601 durations as Twilio documents them (PT10M, P1D, P1DT2H...); Django's
# parse_duration alone would also take "10:00".
ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
KB = 1024


def invalid(message: str, code: int = 20001) -> TwilioError:
    return TwilioError(400, code, message)


def text(form, name: str, *, max_length: int | None = None):
    value = form.get(name)
    if value is not None and max_length is not None and len(value) > max_length:
        raise invalid(f"Parameter '{name}' must be at most {max_length} characters long")
    return value


def unique_name(form, name: str, *, sid_prefix: str, sid_code: int, max_length: int = 256) -> str | None:
    """A UniqueName stands in for the SID in URLs, so it may not look like one: Twilio refuses a
    name matching the resource's SID pattern (e.g. 50390, "CH[0-9a-f]{32}")."""
    value = text(form, name, max_length=max_length)
    if value and re.fullmatch(sid_prefix + r"[0-9a-f]{32}", value):
        raise invalid(f"{name} '{value}' matches the {sid_prefix} SID pattern {sid_prefix}[0-9a-f]{{32}}", sid_code)
    return value


def required(form, name: str) -> str:
    value = form.get(name)
    if not value:
        raise invalid(f"Missing required parameter {name} in the post body")
    return value


def choice(form, name: str, choices) -> str | None:
    """An enum parameter; Twilio's enums are case-sensitive (methods are lower-case on requests)."""
    value = form.get(name)
    if value is not None and value not in choices:
        raise invalid(f"Invalid value '{value}' for parameter {name}: expected one of {', '.join(choices)}")
    return value


def sid(form, name: str, prefix: str) -> str | None:
    value = form.get(name)
    if value is not None and not is_sid(value, prefix):
        raise invalid(f"Invalid {name}: '{value}' is not a valid {prefix} SID")
    return value


def is_sid(value: str, prefix: str) -> bool:
    return bool(re.fullmatch(prefix + r"[0-9a-fA-F]{32}", value or ""))


def attributes(form, *, limit_kb: int, name: str = "Attributes") -> str | None:
    """Twilio stores Attributes as a string that must hold JSON, within a size limit."""
    value = form.get(name)
    if value is None:
        return None
    if len(value.encode()) > limit_kb * KB:
        raise invalid(f"{name} must not exceed {limit_kb} KB")
    try:
        json.loads(value)
    except ValueError:
        raise invalid(f"{name} must be a valid JSON string") from None
    return value


def duration(form, name: str, *, minimum: timedelta, format_code: int, minimum_code: int) -> str | None:
    """A timer: an ISO-8601 duration at least `minimum` long (Twilio errors 50375/50376, 50379/50380)."""
    value = form.get(name)
    if value is None:
        return None
    if not ISO_DURATION.match(value):
        raise invalid(f"{name} must be an ISO-8601 duration such as PT10M or P1D, got '{value}'", format_code)
    if parse_duration(value) < minimum:
        raise invalid(
            f"{name} must be at least {int(minimum.total_seconds() // 60)} minute(s), got '{value}'", minimum_code
        )
    return value


def date_time(form, name: str):
    value = form.get(name)
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise invalid(f"Invalid {name}: '{value}' is not an ISO-8601 date-time with a time zone")
    return parsed


def url(form, name: str) -> str | None:
    value = form.get(name)
    if value is not None and not re.match(r"^https?://[^\s/]+", value):
        raise invalid(f"Invalid {name}: '{value}' is not an http(s) URL")
    return value


def string_list(form, name: str, allowed=None) -> list[str] | None:
    """A repeated form key (`X=a&X=b`), None when not sent at all."""
    if name not in form:
        return None
    values = form.getlist(name)
    unknown = [v for v in values if allowed is not None and v not in allowed]
    if unknown:
        raise invalid(f"Invalid value(s) {', '.join(unknown)} for parameter {name}")
    return values


def webhook_method(form, name: str) -> str | None:
    """Request enum `get|post` (lower-case); stored and answered upper-case, as Twilio does."""
    value = choice(form, name, ("get", "post"))
    return value.upper() if value else None
