"""Load Twilio's OpenAPI descriptions (vendor/twilio-oai/) once, made as strict as Twilio.

The patches below change only the dicts loaded in memory, never the files.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path

from openapi_core import OpenAPI

SPEC_FILES = {
    "conversations": "twilio_conversations_v1.json",
    "content": "twilio_content_v1.json",
    # The account's WhatsApp senders (Channels Senders) and phone numbers (IncomingPhoneNumbers).
    "messaging": "twilio_messaging_v2.json",
    "api": "twilio_api_v2010.json",
    # The account's Studio flows, offered by the address configuration form.
    "studio": "twilio_studio_v2.json",
}
TWILIO_HOSTS = {
    "conversations": "https://conversations.twilio.com",
    "content": "https://content.twilio.com",
    "messaging": "https://messaging.twilio.com",
    "api": "https://api.twilio.com",
    "studio": "https://studio.twilio.com",
}
# Api v2010 describes the whole account (calls, SIP, ...: 1.8 MB); the console reads only these
# paths, so only they are kept in memory (building the validator for all of it takes long).
KEPT_PATHS = {
    "api": ("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",),
    "studio": ("/v2/Flows", "/v2/Flows/{Sid}"),
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
VENDORED_SPEC_DIR = REPOSITORY_ROOT / "vendor" / "twilio-oai"


def spec_dir() -> Path:
    """The repository's copy in vendor/twilio-oai/ (see its README), or $TWILIO_OAI_DIR
    to try other versions of the same files."""
    override = os.environ.get("TWILIO_OAI_DIR")
    if override:
        return Path(override)
    return VENDORED_SPEC_DIR


@functools.cache
def spec_dict(product: str) -> dict:
    """The patched spec of a product (a key of SPEC_FILES)."""
    with open(spec_dir() / SPEC_FILES[product], encoding="utf-8") as fh:
        spec = json.load(fh)
    if product in KEPT_PATHS:
        spec["paths"] = {path: spec["paths"][path] for path in KEPT_PATHS[product]}
    _patch(spec)
    return spec


@functools.cache
def openapi(product: str) -> OpenAPI:
    return OpenAPI.from_dict(spec_dict(product))


def iter_operations(product: str):
    """Yield (method, path_template, operation) for every operation of a product."""
    for template, item in spec_dict(product)["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield method.upper(), template, item[method]


def operation_parameters(product: str, template: str, method: str) -> list[dict]:
    """Path-level plus operation-level parameters, with $refs resolved."""
    item = spec_dict(product)["paths"][template]
    params = item.get("parameters", []) + item[method.lower()].get("parameters", [])
    return [resolve(product, p) for p in params]


def resolve(product: str, node: dict) -> dict:
    """Follow local "$ref"s ("#/components/...") until a concrete node."""
    while isinstance(node, dict) and "$ref" in node:
        node = _pointer(spec_dict(product), node["$ref"])
    return node


def _pointer(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), f"only local $refs are supported: {ref}"
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _patch(spec: dict) -> None:
    for item in spec["paths"].values():
        for method in HTTP_METHODS:
            body = item.get(method, {}).get("requestBody", {})
            for media in body.get("content", {}).values():
                # PATCH: close every request body schema (form and JSON, nested objects
                # included) with `additionalProperties: false`. JSON Schema allows unknown
                # properties by default, so `FriendlyNam=x` or `{"langauge": ...}` would
                # pass although Twilio rejects or silently ignores them. The schema is
                # inlined (a copy) first so response schemas sharing a component stay as
                # published. Note: openapi-core decodes form bodies to the declared
                # properties only, so for forms openapi_contract also checks the raw keys.
                media["schema"] = _closed(spec, media["schema"], ())
    # No patch needed for form arrays (openapi-core 0.23 decodes form fields with
    # style=form, explode=true by default, so `X=a&X=b` -> ["a", "b"]) nor for string
    # booleans/integers (it casts them). test_openapi_contract_harness proves both.


def _closed(spec: dict, schema: dict, seen: tuple) -> dict:
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:  # recursive schema: leave the reference as it is
            return schema
        seen = seen + (ref,)
        schema = _pointer(spec, ref)
    schema = copy.deepcopy(schema)
    props = schema.get("properties")
    if props is not None:
        schema.setdefault("additionalProperties", False)
        for name, sub in props.items():
            props[name] = _closed(spec, sub, seen)
    if isinstance(schema.get("items"), dict):
        schema["items"] = _closed(spec, schema["items"], seen)
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = _closed(spec, schema["additionalProperties"], seen)
    return schema


_FIXED = {"date-time": "2020-01-01T00:00:00Z", "uri": "https://example.com", "uri-map": "https://example.com"}


def synthesize_value(product: str, schema: dict):
    """A minimal value valid for schema: every property present, SIDs matching their pattern."""
    schema = resolve(product, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        value = {key: synthesize_value(product, sub) for key, sub in props.items()}
        if isinstance(value.get("meta"), dict):  # list page: meta.key names the items array
            value["meta"]["key"] = next(k for k, s in props.items() if resolve(product, s).get("type") == "array")
        return value
    if kind == "array":
        return [synthesize_value(product, schema.get("items", {}))]
    if kind == "string":
        if "pattern" in schema:
            return _from_pattern(schema["pattern"])
        return _FIXED.get(schema.get("format"), "x" * max(1, schema.get("minLength", 1)))
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    raise NotImplementedError(f"cannot synthesize {schema}")


def _from_pattern(pattern: str) -> str:
    """A string matching Twilio's SID patterns (^XX[0-9a-fA-F]{32}$, ^[a-zA-Z]{2}[0-9a-fA-F]{32}$)."""
    text = re.sub(r"\[0-9a-fA-F\]\{(\d+)\}", lambda m: "0" * int(m[1]), pattern.strip("^$"))
    text = re.sub(r"\[a-zA-Z\]\{(\d+)\}", lambda m: "A" * int(m[1]), text)
    if not re.fullmatch(pattern, text):
        raise NotImplementedError(f"cannot synthesize a string for pattern {pattern}")
    return text
