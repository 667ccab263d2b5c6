"""Twilio's REST API: the gateway (the only module that imports the twilio SDK's REST client), its
records, error explanations."""
