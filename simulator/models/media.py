"""Stored files: what the Media Content Service holds and what phones sent."""

from django.db import models


class SimMedia(models.Model):
    """One file, with the bytes, so a client can download what it uploaded.

    Uploaded to the Media Content Service (`service_sid` set), or sent by a
    phone: then `message_sid` is the channel message (MM...) whose MediaUrl
    serves it, or the conversation message (IM...) it joined.
    """

    sid = models.CharField(max_length=34, unique=True)
    service_sid = models.CharField(max_length=34, blank=True)
    channel_sid = models.CharField(max_length=34, blank=True)  # the conversation (CH...) once attached
    message_sid = models.CharField(max_length=34, blank=True, db_index=True)
    author = models.CharField(max_length=256, default="system")
    content_type = models.CharField(max_length=256)
    filename = models.CharField(max_length=256, null=True)
    size = models.IntegerField()
    data = models.BinaryField()
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()
