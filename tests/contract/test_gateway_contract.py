"""Every gateway function, sent by the real twilio SDK, checked against Twilio's OpenAPI.

The `twilio_contract` fixture validates each request (path, method, parameter
names, enums, patterns, required fields, repeated-key arrays) and answers with
the spec's own example, so the records are built from contract-shaped data.
"""

import inspect

import pytest

from conversations_ops.twilio import gateway, records
from tests.contract.gateway_cases import CASES, CH, IG, IM

# Public gateway functions no spec in vendor/twilio-oai/ describes, each with why.
# They are not exempt from checking: the test named in the reason holds them to
# Twilio's documentation (URL, auth, body) instead of an OpenAPI operation.
OUTSIDE_THE_SPECS = {
    "media_upload": "Media Content Service (mcs.us1.twilio.com): in neither twilio-oai nor twilio-python; "
    "wire checked by tests/simulator/test_media_gateway.py",
    "media_download": "message media bytes (api.twilio.com/2010-04-01/.../Media/ME..., a webhook's MediaUrlN): "
    "the Api v2010 spec describes only the Media resource's JSON (.../Media/{Sid}.json); "
    "wire checked by tests/simulator/test_media_gateway.py",
}


def call(name, kwargs):
    result = getattr(gateway, name)(**kwargs)
    return list(result) if inspect.isgenerator(result) else result


@pytest.mark.parametrize("name, kwargs, operation_id, record", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_gateway_request_matches_the_openapi_contract(twilio_contract, name, kwargs, operation_id, record):
    result = call(name, kwargs)
    twilio_contract.assert_clean()
    assert twilio_contract.operation_ids[:1] == [operation_id]
    if record is None:
        assert result is None
    elif isinstance(result, list):
        assert result and all(isinstance(item, record) for item in result)
    else:
        assert isinstance(result, record)
    if isinstance(result, records.RemotePage):
        assert result.records and all(type(item).__name__.startswith("Remote") for item in result.records)


@pytest.mark.parametrize("name, kwargs, operation_id, record", CASES[:1])
def test_routed_requests_are_validated_the_same_way(twilio_contract, settings, name, kwargs, operation_id, record):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9/simulator"
    call(name, kwargs)
    assert twilio_contract.calls[0].url.startswith("http://127.0.0.1:9/simulator/conversations/v1/")


def test_a_bad_enum_from_a_caller_is_caught_by_the_contract(twilio_contract):
    with pytest.raises(gateway.GatewayError):
        gateway.conversation_webhook_create(
            conversation_sid=CH, target="webhook", url="https://x.example", method="POST"
        )
    failures = twilio_contract.pop_failures()
    assert failures and "Configuration.Method" in failures[0]


def test_every_public_gateway_function_has_a_contract_case():
    public = {
        name
        for name, fn in inspect.getmembers(gateway, inspect.isfunction)
        if fn.__module__ == gateway.__name__ and not name.startswith("_") and name != "retry_after_seconds"
    }
    assert public - {case[0] for case in CASES} - set(OUTSIDE_THE_SPECS) == set()


def test_functions_outside_the_specs_are_real_uncovered_and_explained():
    for name, reason in OUTSIDE_THE_SPECS.items():
        assert callable(getattr(gateway, name, None)), f"{name} is no gateway function: drop its exemption"
        assert name not in {case[0] for case in CASES}, f"{name} has a contract case: drop its exemption"
        assert "checked by tests/" in reason, f"{name}: say why, and which test checks it instead"


def test_records_carry_the_contract_examples_values(twilio_contract):
    remote = gateway.address_configuration_fetch(sid=IG)
    assert remote.sid.startswith("IG") and remote.address
    assert remote.auto_creation.webhook_method in (None, "get", "post")
    message = gateway.message_fetch(conversation_sid=CH, sid=IM)
    assert message.sid.startswith("IM") and isinstance(message.index, int)
