"""Control endpoint for fault injection: GET shows it (with counters), POST sets it, DELETE clears it."""

from django.http import JsonResponse

from simulator import faults
from simulator.control.common import ControlError, body, control_endpoint, number


def _validated(data: dict) -> dict:
    kinds = data.get("kinds") or []
    kinds = [kinds] if isinstance(kinds, str) else kinds
    unknown = [k for k in kinds if str(k) not in faults.KINDS]
    if unknown:
        raise ControlError(400, f"Unknown fault kinds {unknown}; known: {', '.join(faults.KINDS)}")
    paths = data.get("paths") or []
    paths = [paths] if isinstance(paths, str) else paths
    seed = data.get("seed")
    if seed is not None and not isinstance(seed, int | str):
        raise ControlError(400, "seed must be an integer or a string")
    config = {
        "rate": number(data, "rate", 0, minimum=0, maximum=1),
        "kinds": [str(k) for k in kinds],
        "latency_ms": number(data, "latency_ms", 0, minimum=0, maximum=60_000),
        "paths": [str(p) for p in paths],
        "seed": seed,
    }
    if data.get("timeout_s") is not None:
        config["timeout_s"] = number(data, "timeout_s", minimum=0.01, maximum=600)
    return config


@control_endpoint(["GET", "POST", "DELETE"])
def faults_view(request):
    if request.method == "POST":
        config = faults.configure(_validated(body(request)))
    elif request.method == "DELETE":
        config = faults.clear()
    else:
        config = faults.current()
    public = {k: v for k, v in config.items() if k != "token"}
    return JsonResponse({"active": bool(config.get("kinds") or config.get("latency_ms")), **public})
