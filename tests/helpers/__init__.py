"""Helpers (functions, classes, constants) that several test folders import; no fixtures, no tests."""
