"""How long to wait before trying a Twilio call again, and how long one task may take.

Settings (declared in config/settings/base.py) are read at call time, so
tests can change them:
- SYNC_RETRY_BASE_SECONDS (1.0) and SYNC_RETRY_CAP_SECONDS (60): exponential
  backoff with FULL jitter, delay = uniform(0, min(cap, base * 2**(attempt-1))).
  Full jitter spreads retries of many workers hit by the same 429 burst
  instead of having them return in lockstep (AWS architecture blog).
- SYNC_LEASE_SECONDS (120): how long a worker's claim on an operation lasts.
  Longer than the django-q2 task timeout, so an expired lease means the
  worker died rather than "is slow".
- SYNC_INLINE_WAIT_SECONDS (5): the longest sleep a task does itself (backoff
  or pacing); longer waits go back to the outbox with next_attempt_at.
"""

import random

from django.conf import settings


def retry_base_seconds() -> float:
    return float(settings.SYNC_RETRY_BASE_SECONDS)


def retry_cap_seconds() -> float:
    return float(settings.SYNC_RETRY_CAP_SECONDS)


def lease_seconds() -> float:
    return float(settings.SYNC_LEASE_SECONDS)


def inline_wait_seconds() -> float:
    return float(settings.SYNC_INLINE_WAIT_SECONDS)


def http_timeout_seconds() -> float:
    return float(settings.TWILIO_HTTP_TIMEOUT)


def task_budget_seconds() -> float:
    """Time one task may spend on operations before handing the rest back.

    Half the django-q2 timeout (which kills the worker) and half the lease
    (after which the sweep hands the operation to someone else): a task that
    respects this is never killed mid-call nor run twice at once.
    """
    q_timeout = float(settings.Q_CLUSTER.get("timeout") or 60)
    return min(q_timeout, lease_seconds()) / 2


def backoff_delay(*, attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempt`-th failed try (1 for the first).

    Never less than Twilio's Retry-After: a 429 says when capacity returns,
    and coming back earlier only earns another 429.
    """
    ceiling = min(retry_cap_seconds(), retry_base_seconds() * 2 ** max(attempt - 1, 0))
    delay = (rng or random).uniform(0, ceiling)
    if retry_after:
        delay = max(delay, float(retry_after))
    return delay
