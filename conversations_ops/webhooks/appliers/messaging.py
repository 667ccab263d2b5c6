"""Programmable Messaging inbound (the WhatsApp sandbox flow lives here)."""

MESSAGING_APPLIERS: dict = {}
