"""Getting a conversation message to the phones of the other participants.

INTERFACE (filled in by the delivery work): for each SMS/WhatsApp participant
other than the author, create a receipt, apply WhatsApp's rules (24-hour
window from the participant's last inbound message, template approval), put
what arrives on that person's handset and fire onDeliveryUpdated.
"""


def deliver(message) -> None:
    """Run delivery for a newly created message (REST-made or relayed inbound)."""
