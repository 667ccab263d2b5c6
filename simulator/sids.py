"""Twilio-shaped identifiers."""

import uuid


def new_sid(prefix: str) -> str:
    """`prefix` + 32 hex digits, as every Twilio SID is."""
    return prefix + uuid.uuid4().hex


def iso(dt) -> str | None:
    """Twilio's timestamp format: UTC, seconds, a trailing Z."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None
