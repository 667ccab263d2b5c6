"""Validate real twilio-python HTTP requests against Twilio's OpenAPI specs, answer per spec.

validate_request(prepared) -> OperationMatch   (AssertionError listing every violation)
example_response(match) -> (status, json_body) (the spec's own example, checked against it)
validate_response(match, status, body)         (AssertionError if off-contract)
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from werkzeug.datastructures import Headers

from .openapi_spec import TWILIO_HOSTS, openapi, operation_parameters, resolve, spec_dict, synthesize_value

FORM = "application/x-www-form-urlencoded"
# {any base}/<product>/<version>/... (TWILIO_API_BASE_URL routing): conversations/v1, content/v1,
# messaging/v2, api/2010-04-01, studio/v2.
ROUTED = re.compile(
    r"^(?P<prefix>.*?)/(?P<product>conversations|content|messaging|api|studio)(?P<rest>/(?:v1|v2|2010-04-01)(?:/.*)?)$"
)


@dataclass(frozen=True)
class OperationMatch:
    product: str  # "conversations" | "content" | "messaging" | "api"
    operation_id: str
    method: str
    path_template: str  # e.g. /v1/Conversations/{ConversationSid}/Messages
    path_params: dict
    query: dict  # dict of lists
    body: dict | None  # form: dict of lists; JSON: the decoded document
    url: str  # as sent
    twilio_url: str  # the same call on the Twilio host
    base_url: str  # what the request used in place of https://<product>.twilio.com

    @property
    def operation(self) -> dict:
        return spec_dict(self.product)["paths"][self.path_template][self.method.lower()]


def validate_request(prepared: requests.PreparedRequest) -> OperationMatch:
    product, base_url, twilio_url = _route(prepared.url)
    twilio_request = prepared.copy()
    twilio_request.url = twilio_url
    oa_request = RequestsOpenAPIRequest(twilio_request)
    api = openapi(product)
    where = f"{prepared.method} {prepared.url}"
    try:
        found = APICallPathFinder(api.spec).find(oa_request.method, twilio_url.split("?")[0])
    except PathError as exc:
        raise AssertionError(f"{where}: no operation in the {product} spec ({exc!r})") from None
    template, method = found.path.parts[-1], prepared.method.upper()
    operation = spec_dict(product)["paths"][template][method.lower()]
    result = api.unmarshal_request(oa_request)
    errors = [line for exc in result.errors for line in _describe(exc)]

    query = parse_qs(urlsplit(twilio_url).query, keep_blank_values=True)
    params = operation_parameters(product, template, method)
    declared = {(p["in"], p["name"].lower() if p["in"] == "header" else p["name"]): p for p in params}
    for name, values in query.items():
        param = declared.get(("query", name))
        if param is None:  # openapi-core ignores undeclared query parameters
            errors.append(f"query[{name}]: unknown query parameter (not declared for {template})")
        else:
            errors += _raw_value_problems(f"query[{name}]", param.get("schema", {}), values, product)
    for header in prepared.headers:
        lower = header.lower()
        if lower.startswith("x-twilio-") and lower != "x-twilio-client" and ("header", lower) not in declared:
            errors.append(f"header[{header}]: not declared for {method} {template}")

    body = _parsed_body(prepared)
    media = operation.get("requestBody", {}).get("content", {})
    if body is not None and not media:
        errors.append(f"body: {method} {template} takes no request body")
    if isinstance(body, dict) and FORM in media and _content_type(prepared) == FORM:
        errors += _form_problems(product, media[FORM]["schema"], body)
    if errors:
        lines = "\n".join(f"  - {e}" for e in errors)
        raise AssertionError(f"{where} ({operation['operationId']}) violates the Twilio OpenAPI contract:\n{lines}")
    return OperationMatch(
        product,
        operation["operationId"],
        method,
        template,
        dict(found.path_result.variables),
        query,
        body,
        prepared.url,
        twilio_url,
        base_url,
    )


def example_response(match: OperationMatch, *, synthesize: bool = False) -> tuple[int, dict | None]:
    """The operation's success reply from the spec example (or built from the schema)."""
    responses = match.operation["responses"]
    status = min(int(code) for code in responses if code.startswith("2"))
    content = resolve(match.product, responses[str(status)]).get("content")
    if not content:  # 204 No Content (DELETE)
        return status, None
    media = content["application/json"]
    examples = media.get("examples") or {}
    if examples and not synthesize:
        # Prefer the richest example: list operations often list "readEmpty" first.
        values = [resolve(match.product, example)["value"] for example in examples.values()]
        body = copy.deepcopy(max(values, key=lambda value: len(json.dumps(value))))
    elif "example" in media and not synthesize:
        body = copy.deepcopy(media["example"])
    else:
        body = synthesize_value(match.product, media["schema"])
    body = _harness_paging(match, body)
    if not synthesize and (_empty_page(body) or _violations(match, status, body)):
        # Some published examples list nothing (Channels Senders has only "readEmpty") or break
        # their own schema (IncomingPhoneNumbers' "" application SIDs): build one from the schema.
        body = _harness_paging(match, synthesize_value(match.product, media["schema"]))
    validate_response(match, status, body)
    return status, body


def _harness_paging(match: OperationMatch, body: dict) -> dict:
    """A list page's links stay on the harness (the SDK follows them), and there is no next page."""
    if isinstance(body.get("meta"), dict):
        host = TWILIO_HOSTS[match.product]
        for key, value in body["meta"].items():
            if isinstance(value, str) and value.startswith(host):
                body["meta"][key] = match.base_url + value[len(host) :]
        body["meta"]["next_page_url"] = None
    if "next_page_uri" in body:  # Api v2010 paging: relative URIs
        body["next_page_uri"] = None
    return body


def _empty_page(body: dict) -> bool:
    items = [value for key, value in body.items() if isinstance(value, list) and key != "meta"]
    return len(items) == 1 and not items[0]


def _violations(match: OperationMatch, status: int, body) -> bool:
    try:
        validate_response(match, status, body)
    except AssertionError:
        return True
    return False


class _Response:  # openapi_core.protocols.Response
    def __init__(self, status: int, body, headers: dict | None = None):
        self.status_code = status
        self.data = b"" if body is None else json.dumps(body).encode()
        self.content_type = "" if body is None else "application/json"
        self.headers = Headers(headers or {})


def validate_response(match: OperationMatch, status: int, body, headers: dict | None = None) -> None:
    oa_request = RequestsOpenAPIRequest(requests.Request(match.method, match.twilio_url).prepare())
    result = openapi(match.product).unmarshal_response(oa_request, _Response(status, body, headers))
    errors = [line for exc in result.errors for line in _describe(exc)]
    if errors:
        lines = "\n".join(f"  - {e}" for e in errors)
        raise AssertionError(f"response {status} to {match.operation_id} violates the spec:\n{lines}")


def operation_match(product: str, method: str, template: str) -> OperationMatch:
    """A match for an operation without a live request (path parameters synthesized)."""
    path_params = {
        p["name"]: synthesize_value(product, p.get("schema", {}))
        for p in operation_parameters(product, template, method)
        if p["in"] == "path"
    }
    url = TWILIO_HOSTS[product] + template.format(**path_params)
    operation_id = spec_dict(product)["paths"][template][method.lower()]["operationId"]
    return OperationMatch(
        product, operation_id, method, template, path_params, {}, None, url, url, TWILIO_HOSTS[product]
    )


def _route(url: str) -> tuple[str, str, str]:
    """(product, base_url, twilio_url) for a Twilio host URL or a routed {base}/<product>/v1/... URL."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    query = f"?{parts.query}" if parts.query else ""
    for product, host in TWILIO_HOSTS.items():
        if origin == host:
            return product, host, url
    routed = ROUTED.match(parts.path)
    if routed is None:
        raise AssertionError(f"{url}: neither a Twilio product URL nor {{base}}/<product>/<version>/...")
    product = routed["product"]
    return product, f"{origin}{routed['prefix']}/{product}", TWILIO_HOSTS[product] + routed["rest"] + query


def _content_type(prepared: requests.PreparedRequest) -> str:
    return (prepared.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def _parsed_body(prepared: requests.PreparedRequest):
    raw = prepared.body
    if not raw:
        return None
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if _content_type(prepared) == FORM:
        return parse_qs(text, keep_blank_values=True)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _form_problems(product: str, schema: dict, body: dict) -> list[str]:
    """openapi-core decodes a form to its declared properties only, casting leniently:
    undeclared keys vanish, a repeated scalar keeps its first value, "yes"/"1" pass as
    booleans. Check the raw keys and values ourselves."""
    props = resolve(product, schema).get("properties", {})
    problems = []
    for key, values in body.items():
        if key not in props:
            problems.append(f"body[{key}]: unknown form field (Additional properties are not allowed)")
        else:
            problems += _raw_value_problems(f"body[{key}]", props[key], values, product)
    return problems


def _raw_value_problems(where: str, schema: dict, values: list[str], product: str) -> list[str]:
    schema = resolve(product, schema)
    if schema.get("type") != "array" and len(values) > 1:
        return [f"{where}: sent {len(values)} times but is not an array"]
    item_type = (
        resolve(product, schema.get("items", {})).get("type") if schema.get("type") == "array" else schema.get("type")
    )
    problems = []
    for value in values:
        if item_type == "boolean" and value not in ("true", "false"):
            problems.append(f"{where}: boolean must be 'true' or 'false', got {value!r}")
        if item_type == "integer" and not re.fullmatch(r"-?[0-9]+", value):
            problems.append(f"{where}: {value!r} is not an integer")
    return problems


def _describe(exc: Exception) -> list[str]:
    """One line per problem: location[field]: message."""
    name, location = getattr(exc, "name", None), getattr(exc, "location", None)
    where = f"{location}[{name}]" if name else "body"
    cause = exc.__cause__ or exc
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        return [f"{where}{''.join(f'[{p}]' for p in err.absolute_path)}: {err.message}" for err in schema_errors]
    return [f"{where if name else type(exc).__name__}: {cause}"]
