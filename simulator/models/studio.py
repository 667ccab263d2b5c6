"""Studio flows the account has built (Studio v2 Flows).

Twilio's Studio editor makes them; no REST call of the console does. The simulator's flows
come from the control API (`_control/studio/flows`) and `simulator_seed`, and are read
through `GET /v2/Flows` and `GET /v2/Flows/{Sid}` (simulator/api/studio.py)."""

from django.db import models


class SimStudioFlow(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    friendly_name = models.CharField(max_length=256)
    # Twilio's flow_enum_status: "draft" or "published" (vendor/twilio-oai/twilio_studio_v2.json).
    status = models.CharField(max_length=16, default="published")
    revision = models.PositiveIntegerField(default=1)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()
