"""Backoff: exponential, full jitter, capped, never below Retry-After; settings read at call time."""

import random

import pytest

from conversations_ops.outbox import retry_policy
from conversations_ops.outbox.retry_policy import backoff_delay


@pytest.fixture
def policy(settings):
    settings.SYNC_RETRY_BASE_SECONDS = 1.0
    settings.SYNC_RETRY_CAP_SECONDS = 60.0
    return settings


def _samples(attempt, n=2000, **kwargs):
    rng = random.Random(attempt)
    return [backoff_delay(attempt=attempt, rng=rng, **kwargs) for _ in range(n)]


def test_each_delay_lies_between_zero_and_the_exponential_ceiling(policy):
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (6, 32)]:
        samples = _samples(attempt)
        assert min(samples) >= 0 and max(samples) <= ceiling
        assert max(samples) > 0.95 * ceiling  # the whole range is used: full jitter


def test_the_delay_grows_with_the_attempt(policy):
    means = [sum(_samples(attempt)) / 2000 for attempt in range(1, 7)]
    assert all(later > 1.6 * earlier for earlier, later in zip(means, means[1:], strict=False))
    assert means[0] == pytest.approx(0.5, rel=0.1)  # uniform(0, 1) averages 1/2


def test_delays_are_jittered_not_in_lockstep(policy):
    samples = _samples(3, n=50)
    assert len({round(s, 6) for s in samples}) == 50


def test_the_cap_bounds_late_attempts(policy):
    policy.SYNC_RETRY_CAP_SECONDS = 5.0
    assert max(_samples(20)) <= 5.0


def test_retry_after_is_a_floor(policy):
    assert min(_samples(1, retry_after=3.0)) >= 3.0
    assert max(_samples(8, retry_after=3.0)) > 3.0  # a longer backoff still wins


def test_settings_are_read_at_call_time(settings):
    settings.SYNC_RETRY_BASE_SECONDS = 0.01
    settings.SYNC_RETRY_CAP_SECONDS = 0.02
    assert max(_samples(10, n=200)) <= 0.02


def test_a_task_stays_well_inside_the_django_q_timeout_and_the_lease(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 60}
    settings.SYNC_LEASE_SECONDS = 120
    assert retry_policy.task_budget_seconds() == 30
    settings.SYNC_LEASE_SECONDS = 10
    assert retry_policy.task_budget_seconds() == 5
