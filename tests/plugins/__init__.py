"""Fixtures shared across test folders, registered once with `pytest_plugins` in tests/conftest.py.

A fixture used by one folder only stays in that folder's conftest.py.
"""
