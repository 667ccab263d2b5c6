"""Where an interrupted pull resumes."""

from django.db import models

from conversations_ops.masking import mask_numbers_in


class PullCheckpoint(models.Model):
    """Progress of one listing (a resource, optionally inside one conversation)."""

    resource = models.CharField(max_length=32, help_text="addresses, conversations, participants, messages, templates")
    scope = models.CharField(max_length=34, blank=True, help_text="Conversation SID for nested lists; empty otherwise.")
    next_page_url = models.TextField(blank=True, help_text="Where to continue; empty when the listing finished.")
    started_at = models.DateTimeField(help_text="When this listing began (rows seen before it may be gone).")
    finished_at = models.DateTimeField(null=True, blank=True)
    items = models.PositiveIntegerField(default=0, help_text="Records read so far.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "scope"], name="pull_checkpoint_unique")]

    def __str__(self):
        return mask_numbers_in(f"{self.resource} {self.scope}".strip())
