"""Twilio's REST API: the gateway (the only twilio.rest importer), its records, error explanations."""
