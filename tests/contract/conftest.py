"""`twilio_contract`: every `requests` call is checked against Twilio's OpenAPI specs.

Requests are intercepted at the transport (the `responses` library), so what is checked
is the real wire encoding produced by twilio-python (or by `requests` directly).
"""

from __future__ import annotations

import pytest

from tests.contract.harness import twilio_contract_session


@pytest.fixture
def twilio_contract():
    with twilio_contract_session() as contract:
        yield contract
