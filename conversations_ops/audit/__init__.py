"""The audit trail: one writer, where an action comes from, the outbox hooks."""
