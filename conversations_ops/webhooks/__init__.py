"""Inbound Twilio webhooks: signature check, pure parsing, the gate views and the appliers."""
