"""Courier pairings in the admin: list, pages, Start pairing, Close/Retry/Abandon.

Importing the package registers PairingAdmin."""

from . import pairing_admin  # noqa: F401
