import pytest
import requests


@pytest.fixture
def whatsapp_reviewer(simulator):
    """Plays WhatsApp's reviewers through the simulator's control API (real HTTP): a new status,
    a new category (Meta re-categorising the template), or both."""

    def review(sid: str, status: str = "", rejection_reason: str = "", *, category: str = "") -> dict:
        data = {"status": status, "rejection_reason": rejection_reason, "category": category}
        response = requests.post(
            f"{simulator.api_base}/_control/content/{sid}/approval",
            data={key: value for key, value in data.items() if value},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    return review
