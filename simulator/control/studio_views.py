"""The account's Studio flows: what Twilio's Studio editor makes (no REST call of the console does).

POST `friendly_name` (required) and `status` (`published`, the default, or `draft`) adds a
flow; GET lists them. The flows are then read through Studio v2 `GET /v2/Flows`."""

from django.http import JsonResponse

from simulator.control.common import ControlError, body, control_endpoint
from simulator.engine import studio
from simulator.models import SimStudioFlow


def _flows_json(made=None) -> dict:
    rows = SimStudioFlow.objects.order_by("id")
    return {
        **({"sid": made.sid} if made else {}),
        "flows": [{"sid": r.sid, "friendly_name": r.friendly_name, "status": r.status} for r in rows],
    }


@control_endpoint(["GET", "POST"])
def flows(request):
    made = None
    if request.method == "POST":
        data = body(request)
        name = str(data.get("friendly_name") or data.get("FriendlyName") or "").strip()
        if not name:
            raise ControlError(400, "friendly_name is required")
        status = str(data.get("status") or data.get("Status") or "published")
        if status not in studio.STATUSES:
            raise ControlError(400, f"status must be one of {', '.join(studio.STATUSES)}")
        made = studio.add_flow(name, status)
    return JsonResponse(_flows_json(made), status=201 if made else 200)
