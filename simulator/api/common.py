"""What every simulated REST endpoint shares: auth, errors, paging, URLs.

Views raise `TwilioError` (api/errors.py); the `twilio_endpoint` decorator turns
it into Twilio's error body `{code, message, more_info, status}`.
"""

import base64
import binascii
import json
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from simulator import faults
from simulator.api.errors import TwilioError, error_response
from simulator.engine import ratelimit


def not_found(what: str = "The requested resource") -> TwilioError:
    return TwilioError(404, 20404, f"{what} was not found")


def _authorized(request) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return user == settings.TWILIO_ACCOUNT_SID and password == settings.TWILIO_AUTH_TOKEN


def twilio_endpoint(view):
    """Basic auth, fault injection, one transaction per call, Twilio error bodies."""
    view = ratelimit.limited(view)  # Twilio's 30 actions/s per conversation and per service

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _authorized(request):
            return error_response(401, 20003, "Authenticate")
        injected = faults.before_request(request)
        if injected is not None:
            return injected
        # /v1/Services/{ChatServiceSid}/...: the service the path names, for lookups.service_sid;
        # the short paths leave it unset (the account's default service).
        request.sim_chat_service_sid = kwargs.pop("chat_service_sid", None)
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
        except TwilioError as exc:
            return error_response(exc.status, exc.code, exc.message)
        return faults.after_request(request, response)

    return wrapper


def created(payload: dict) -> JsonResponse:
    return JsonResponse(payload, status=201)


def ok(payload: dict) -> JsonResponse:
    return JsonResponse(payload, status=200)


def no_content() -> HttpResponse:
    return HttpResponse(status=204)


def json_body(request) -> dict:
    """Content API bodies are JSON."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise TwilioError(400, 20001, f"Invalid JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise TwilioError(400, 20001, "The JSON body must be an object")
    return body


def form_bool(form, name: str, default=None):
    value = form.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise TwilioError(400, 20001, f"Invalid value '{value}' for parameter {name}: expected true or false")
    return value == "true"


def form_int(form, name: str, default=None):
    value = form.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise TwilioError(400, 20001, f"Invalid value '{value}' for parameter {name}: expected an integer") from None


def webhooks_enabled(request) -> bool:
    """REST changes fire webhooks only when the caller asks with this header."""
    return request.headers.get("X-Twilio-Webhook-Enabled", "").lower() == "true"


def own_base(request) -> str:
    """This simulator's own base URL: SIMULATOR_PUBLIC_URL when it runs standalone
    (config/settings/simulator.py, mounted at the root), else the host the request came
    to plus /simulator, where the console mounts it."""
    public = settings.SIMULATOR_PUBLIC_URL
    if public:
        return public.rstrip("/")
    return f"{request.scheme}://{request.get_host()}/simulator"


def product_base(request, product: str) -> str:
    """This simulator's own base for a product: what `url`s and paging links use."""
    return f"{own_base(request)}/{product}"


def page(request, queryset, *, product: str, key: str, serialize, max_page_size: int, default_page_size: int = 50):
    """One list page in Twilio's shape; `next_page_url` points back at the simulator."""
    size = form_int(request.GET, "PageSize", default_page_size)
    number = form_int(request.GET, "Page", 0)
    if not 1 <= size <= max_page_size:
        raise TwilioError(400, 20001, f"PageSize must be between 1 and {max_page_size}")
    if number < 0:
        raise TwilioError(400, 20001, "Page must not be negative")
    rows = list(queryset[number * size : (number + 1) * size + 1])
    filters = {k: v for k, v in request.GET.items() if k not in ("PageSize", "Page", "PageToken")}
    base = f"{product_base(request, product)}{request.path.split('/' + product, 1)[1]}"

    def link(n):
        return f"{base}?{urlencode({**filters, 'PageSize': size, 'Page': n, **({'PageToken': f'PT{n}'} if n else {})})}"

    meta = {
        "page": number,
        "page_size": size,
        "first_page_url": link(0),
        "previous_page_url": link(number - 1) if number > 0 else None,
        "url": link(number),
        "next_page_url": link(number + 1) if len(rows) > size else None,
        "key": key,
    }
    return ok({key: [serialize(request, row) for row in rows[:size]], "meta": meta})


def by_method(request, handlers: dict, *args, **kwargs):
    """Runs the handler for the request's HTTP method; Twilio answers 405 (20004) otherwise."""
    handler = handlers.get(request.method)
    if handler is None:
        raise TwilioError(405, 20004, f"Method {request.method} not allowed")
    return handler(request, *args, **kwargs)


def resource_views(*, collection: dict, item: dict):
    """A Twilio resource's two views, each routed by HTTP method: the list (e.g. GET lists,
    POST creates) and one item (GET, POST updates, DELETE). URL parameters reach the handlers
    by name (conversation_sid, sid)."""

    @twilio_endpoint
    def collection_view(request, **ids):
        return by_method(request, collection, **ids)

    @twilio_endpoint
    def item_view(request, **ids):
        return by_method(request, item, **ids)

    return collection_view, item_view


def resource_missing(request) -> TwilioError:
    """Twilio's 404 names the path it could not find, below the API version."""
    return not_found(f"The requested resource {request.path.split('/v1', 1)[-1]}")


@twilio_endpoint
def unknown_resource(request, *args, **kwargs):
    """Any path of a product that the simulator does not serve: Twilio's JSON 404, not Django's page."""
    raise resource_missing(request)
