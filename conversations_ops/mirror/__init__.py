"""Twilio record -> mirror row mapping, shared by the pull and the webhook appliers."""
