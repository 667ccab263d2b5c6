"""Studio v2 Flows: the account's flows, listed and fetched like Twilio's (simulator/api/studio.py).

Through the real twilio SDK over HTTP (`client.studio.v2.flows`), with flows made through the
control API as Twilio's Studio editor would; every answer checked against
vendor/twilio-oai/twilio_studio_v2.json (docs/fidelity.md, "Studio flows").
"""

import pytest
import requests
from django.core.management import call_command
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from simulator.models import SimStudioFlow
from tests.contract.openapi_contract import operation_match, validate_response

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)


class StudioRoutingHttpClient(TwilioHttpClient):
    """Any Twilio client pointed at the simulator: studio.twilio.com replaced, paths kept (docs/simulator.md)."""

    def __init__(self, base: str):
        super().__init__(timeout=10)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        for product in ("studio", "conversations"):
            host = f"https://{product}.twilio.com"
            if url.startswith(host + "/"):
                url = f"{self.base}/{product}{url[len(host) :]}"
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def client(simulator, settings):
    return Client(
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=StudioRoutingHttpClient(simulator.api_base)
    )


@pytest.fixture
def control(simulator):
    def post(**data):
        return requests.post(f"{simulator.api_base}/_control/studio/flows", data=data, timeout=10)

    return post


def _made(control, name, status="published") -> str:
    answer = control(friendly_name=name, status=status)
    assert answer.status_code == 201, answer.text
    return answer.json()["sid"]


def test_flows_made_in_the_studio_editor_are_listed_page_by_page_through_the_sdk(client, control, simulator, settings):
    sids = [_made(control, f"Flow {n}", "draft" if n % 2 else "published") for n in range(5)]

    flows = client.studio.v2.flows.list(page_size=2)  # three pages, followed by the SDK
    assert [f.sid for f in flows] == sids
    assert [f.status for f in flows] == ["published", "draft", "published", "draft", "published"]
    assert all(f.sid.startswith("FW") and f.account_sid == settings.TWILIO_ACCOUNT_SID for f in flows)
    assert [f.revision for f in flows] == [1] * 5

    first = requests.get(
        f"{simulator.api_base}/studio/v2/Flows",
        params={"PageSize": 2},
        auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
        timeout=10,
    ).json()
    validate_response(operation_match("studio", "GET", "/v2/Flows"), 200, first)
    assert first["meta"]["key"] == "flows" and first["meta"]["page_size"] == 2
    assert first["meta"]["next_page_url"].startswith(f"{simulator.api_base}/studio/v2/Flows?")
    assert first["flows"][0]["definition"] is None  # a list item leaves the definition out, as Twilio's does


def test_a_flow_is_fetched_with_its_definition_and_an_unknown_one_is_404(client, control, simulator, settings):
    sid = _made(control, "Messaging Flow")

    flow = client.studio.v2.flows(sid).fetch()
    assert (flow.sid, flow.friendly_name, flow.status, flow.valid) == (sid, "Messaging Flow", "published", True)
    assert flow.definition["initial_state"] == "Trigger"
    assert flow.url == f"{simulator.api_base}/studio/v2/Flows/{sid}"
    body = requests.get(
        f"{simulator.api_base}/studio/v2/Flows/{sid}",
        auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
        timeout=10,
    ).json()
    validate_response(operation_match("studio", "GET", "/v2/Flows/{Sid}"), 200, body)

    with pytest.raises(TwilioRestException) as missing:
        client.studio.v2.flows("FW" + "0" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)


def test_flows_need_the_accounts_credentials_and_a_page_size_within_twilios_maximum(simulator, settings):
    url = f"{simulator.api_base}/studio/v2/Flows"
    assert requests.get(url, auth=(settings.TWILIO_ACCOUNT_SID, "wrong"), timeout=10).status_code == 401
    too_big = requests.get(
        url, params={"PageSize": 1001}, auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN), timeout=10
    )
    assert (too_big.status_code, too_big.json()["code"]) == (400, 20001)


def test_the_control_api_refuses_a_flow_without_a_name_or_with_an_unknown_status(control, simulator):
    assert control(friendly_name="", status="published").status_code == 400
    refused = control(friendly_name="Orders", status="live")
    assert refused.status_code == 400 and "draft, published" in refused.json()["error"]
    assert not SimStudioFlow.objects.exists()
    _made(control, "Orders", "draft")
    listed = requests.get(f"{simulator.api_base}/_control/studio/flows", timeout=10).json()["flows"]
    assert [(f["friendly_name"], f["status"]) for f in listed] == [("Orders", "draft")]
    assert requests.post(f"{simulator.api_base}/_control/reset", timeout=10).status_code == 200
    assert not SimStudioFlow.objects.exists()


@pytest.mark.django_db
def test_the_seed_adds_one_published_and_one_draft_flow_once():
    call_command("simulator_seed")
    call_command("simulator_seed")
    assert sorted(SimStudioFlow.objects.values_list("status", flat=True)) == ["draft", "published"]
