"""Synchronous reads for staff, retried: a pre-flight, "Pull from Twilio", "Sync templates".

Staff wait for these answers, so a passing 429, 5xx, timeout or dropped
connection is tried again a few times within a few seconds instead of
refusing at once. The classification is the gateway's (`GatewayError.retryable`,
`retry_after`); Twilio's Retry-After is honoured, capped. Only reads go through
here: the outbox's pushes have their own backoff and look-up-before-create, and
a write must never be repeated blindly.

Tunables (settings, read at call time): TWILIO_READ_ATTEMPTS,
TWILIO_READ_BUDGET_SECONDS, TWILIO_READ_RETRY_BASE_SECONDS,
TWILIO_READ_RETRY_AFTER_CAP_SECONDS.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from conversations_ops.twilio.errors import explain_line
from conversations_ops.twilio.gateway import GatewayError

logger = logging.getLogger(__name__)

T = TypeVar("T")


def read_delay(exc: GatewayError, attempt: int) -> float:
    """Seconds before try `attempt + 1`: Twilio's Retry-After (capped), else a doubling backoff."""
    if exc.retry_after is not None:
        return min(exc.retry_after, settings.TWILIO_READ_RETRY_AFTER_CAP_SECONDS)
    return settings.TWILIO_READ_RETRY_BASE_SECONDS * 2 ** (attempt - 1)


def read_with_retries(
    call: Callable[[], T],
    *,
    attempts: int | None = None,
    budget_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, tried again while Twilio's failure is retryable, up to `attempts` tries.

    `call` must do the whole read: a gateway list is lazy, so pass
    `lambda: list(gateway.x_list(...))`, never the iterator. A retry starts
    only if its wait ends within `budget_seconds` of the first try, so a
    staff request never hangs long; a non-retryable error (a 4xx such as
    20404) is raised at once. The error that remains is raised with
    `read_attempts` set (how many tries were made).
    """
    attempts = attempts if attempts is not None else settings.TWILIO_READ_ATTEMPTS
    budget = budget_seconds if budget_seconds is not None else settings.TWILIO_READ_BUDGET_SECONDS
    deadline = time.monotonic() + budget
    attempt = 1
    while True:
        try:
            return call()
        except GatewayError as exc:
            exc.read_attempts = attempt
            if not exc.retryable or attempt >= attempts:
                raise
            delay = read_delay(exc, attempt)
            if time.monotonic() + delay > deadline:
                raise
            logger.info("Twilio read failed (%s); try %d of %d in %.2f s", exc, attempt + 1, attempts, delay)
            sleep(delay)
            attempt += 1


def read_failure_line(exc: GatewayError) -> str:
    """One line for staff after a read failed for good.

    A retryable failure says nothing about the record: Twilio did not answer
    (or asked the console to slow down), so staff try again later; anything
    else is Twilio's refusal in plain words (errors.explain_line).
    """
    if not exc.retryable:
        return explain_line(exc)
    what = str(exc.status) if exc.status is not None else exc.kind
    tries = getattr(exc, "read_attempts", 1)
    return (
        f"Twilio did not answer ({what}, {tries} {'try' if tries == 1 else 'tries'}); nothing is wrong with "
        f"the record: try again in a minute. If it keeps failing, check Twilio's status page."
    )
