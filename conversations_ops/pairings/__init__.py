"""Courier pairings: start/close/retry/abandon, pre-flight checks, the flow, reads."""
