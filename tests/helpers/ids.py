"""The numbers and SIDs the console's tests share."""

BUSINESS_WHATSAPP = "whatsapp:+14155550100"
CUSTOMER_WHATSAPP = "whatsapp:+15017122661"
COURIER_SMS = "+4915123456789"
BUSINESS_SMS = "+442071838750"


def make_sid(prefix: str, n: int = 1) -> str:
    """A well-formed Twilio SID; `n` keeps several of one kind apart."""
    return f"{prefix}{n:032x}"
