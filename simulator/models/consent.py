"""What people told the business about receiving messages."""

from django.db import models


class SimOptOut(models.Model):
    """A person who texted STOP (or another opt-out keyword) to a business SMS number.

    Twilio blocks that number's messages to that person (error 21610) until they text
    START, YES or UNSTOP to it (engine/opt_outs.py). One row per (person, business number).
    """

    address = models.CharField(max_length=256)  # the person's phone, E.164
    proxy_address = models.CharField(max_length=256)  # the business number they wrote to
    keyword = models.CharField(max_length=16)  # the word they sent, as Twilio matched it
    date_created = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "proxy_address"], name="sim_opt_out_pair")]
