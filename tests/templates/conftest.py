import pytest
import requests


@pytest.fixture
def whatsapp_reviewer(simulator):
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
