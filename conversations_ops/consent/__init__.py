"""Consent and opt-out (issue 20): the registry's services, reads, and what inbound messages and
receipts say about consent. `selectors.consent_refusal` is the one question every send path asks."""
