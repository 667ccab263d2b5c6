"""WhatsApp's customer service window, per person and business sender."""

from django.db import models


class SimCustomerWindow(models.Model):
    """When a person last wrote to one business sender: WhatsApp's 24-hour customer service
    window for that pair (Meta: the window starts when the user messages the business and
    resets with each message; Twilio error 63016 counts it from "the user's last inbound
    message"). Per (person, business sender), not per conversation: a message in any
    conversation, or one the number's Messaging webhook received, opens it for all."""

    address = models.CharField(max_length=256)  # the person: whatsapp:+1...
    proxy_address = models.CharField(max_length=256)  # the business sender they wrote to
    last_inbound_at = models.DateTimeField()  # simulator clock

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "proxy_address"], name="sim_customer_window_pair"),
        ]
