"""What may be sent: WhatsApp templates (Content API) and their variables, the 24-hour window."""
