"""GET /health/ and GET /metrics. Neither needs a login (no middleware of the console asks
for one outside the admin); /metrics is off unless METRICS_ENABLED, and asks for
METRICS_TOKEN when one is set."""

import hmac
import logging
import timeit

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import View
from health_check.base import HealthCheckResult
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from conversations_ops.health.checks import CHECKS
from conversations_ops.health.metrics import metrics_registry

logger = logging.getLogger(__name__)


class HealthView(HealthCheckView):
    """The library's view, synchronous and answering JSON only: 200, or 503 naming the failing
    checks, which is what a load balancer or an orchestrator acts on.

    Synchronous: the library's async `get` would, under WSGI (gunicorn), run in an event
    loop started for each probe, and it cannot run at all in a thread that already has
    one. The probes are a few indexed reads and a PING; they run one after another
    in the request's thread (checks.py)."""

    checks = CHECKS
    http_method_names = ["get", "head"]

    def dispatch(self, request, *args, **kwargs):
        response = View.dispatch(self, request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get(self, request, *args, **kwargs):
        self.results = [_result(check) for check in self.get_checks()]
        response = self.render_to_response_json(503 if any(result.error for result in self.results) else 200)
        if response.status_code == 503:
            # One line per failing probe (a load balancer asks every few seconds), instead of
            # django.request's ERROR for a 5xx, which would mail the admins each time.
            logger.warning(
                "Health check failing: %s",
                "; ".join(f"{result.check.name}: {_reason(result.error)}" for result in self.results if result.error),
            )
            response._has_been_logged = True
        return response

    def render_to_response_json(self, status):
        checks = []
        for result in self.results:
            entry = {"name": result.check.name, "state": "failing" if result.error else "ok"}
            if result.error:
                entry["reason"] = _reason(result.error)
            checks.append(entry)
        failing = [entry["name"] for entry in checks if entry["state"] == "failing"]
        return JsonResponse(
            {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}, status=status
        )


def _result(check) -> HealthCheckResult:
    """What the library's `get_result` answers, for a synchronous probe."""
    start = timeit.default_timer()
    try:
        check.probe()
    except HealthCheckException as exc:
        error = exc
    except Exception:  # noqa: BLE001 - a crashing check is a failing check, logged with its traceback
        logger.exception("Health check %s crashed", check.name)
        error = HealthCheckException("unknown error")
    else:
        error = None
    return HealthCheckResult(check=check, error=error, time_taken=timeit.default_timer() - start)


def _reason(error) -> str:
    # Our checks word every failure themselves; any other is a crash, whose text is never shown.
    if isinstance(error, ServiceUnavailable):
        return error.message
    return "the check failed unexpectedly (see the console's log)"


@never_cache
@require_safe
def metrics(request):
    """Prometheus exposition of what the database says now (health/metrics.py)."""
    if not settings.METRICS_ENABLED:
        raise Http404("Metrics are off (METRICS_ENABLED).")
    token = settings.METRICS_TOKEN
    if token and not _bearer_matches(request, token):
        response = HttpResponse(
            "A valid 'Authorization: Bearer <METRICS_TOKEN>' header is required.\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    try:
        body = generate_latest(metrics_registry())
    except DatabaseError:
        logger.warning("Metrics scrape failed: the database did not answer", exc_info=True)
        response = HttpResponse("The database did not answer.\n", status=503, content_type="text/plain; charset=utf-8")
        response._has_been_logged = True  # logged above; not an ERROR mailed to the admins at every scrape
        return response
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
