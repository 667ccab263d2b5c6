"""The push path: queue, changes, runner, claims and states, one attempt, pacing, retry policy, executors."""
