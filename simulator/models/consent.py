"""What people told the business about receiving messages."""

from django.db import models


class SimOptOut(models.Model):
    """A person who texted STOP (or another opt-out keyword) to a business SMS number.

    Twilio blocks that number's messages to that person (error 21610) until they text
    START, YES or UNSTOP to it (engine/messaging_rules.py). One row per (person, business number).
    """

    address = models.CharField(max_length=256)  # the person's phone, E.164
    proxy_address = models.CharField(max_length=256)  # the business number they wrote to
    keyword = models.CharField(max_length=16)  # the word they sent, as Twilio matched it
    date_created = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "proxy_address"], name="sim_opt_out_pair")]


class SimWhatsAppPreference(models.Model):
    """What a WhatsApp user set, in the app, about one business sender: blocked it, or stopped its
    marketing messages ("Offers and announcements"). Set only through the control API
    (`_control/handsets/<address>/preferences`): on WhatsApp nobody but the user can change it.

    - **blocked**: every message from that sender fails with 63014 ("Channel message blocked by
      user action", https://www.twilio.com/docs/errors/63014: "The recipient blocked the sender in
      the channel they are using, such as WhatsApp").
    - **marketing_stopped**: only MARKETING-category templates fail (Meta: "If you attempt to send a
      marketing template to a WhatsApp user who has stopped marketing template messages from your
      business, the API will process the request but not send the message", status failed, Meta
      code 131050; https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates).
      Utility and authentication templates and free-form messages still arrive.

    One row per (person, business sender); no row: neither.
    """

    address = models.CharField(max_length=256)  # the person: whatsapp:+1...
    proxy_address = models.CharField(max_length=256)  # the business sender: whatsapp:+1...
    blocked = models.BooleanField(default=False)
    marketing_stopped = models.BooleanField(default=False)
    date_updated = models.DateTimeField()  # simulator clock

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "proxy_address"], name="sim_whatsapp_preference_pair")
        ]
