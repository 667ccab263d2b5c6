"""ModelAdmins, one module per area; importing them registers them."""

from . import addresses, audit, conversations, events, messages, pairings, sandbox, second_factor, sync, templates  # noqa: F401
