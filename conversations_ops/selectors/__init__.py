"""Reads used by the admin, views and commands (no writes here)."""
