import pytest
import requests

from tests.simulator.conftest import simulator  # noqa: F401  (the live simulator fixture)


@pytest.fixture
def whatsapp_reviewer(simulator):  # noqa: F811
    """Plays WhatsApp's reviewers through the simulator's control API (real HTTP)."""

    def review(sid: str, status: str, rejection_reason: str = "") -> dict:
        response = requests.post(
            f"{simulator.api_base}/_control/content/{sid}/approval",
            data={"status": status, "rejection_reason": rejection_reason},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    return review
