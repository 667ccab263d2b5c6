"""WhatsApp approval of Content templates on the live simulator, through the real twilio SDK
(the console's gateway): one approval request per Content SID (92009), and Meta's
re-categorisation seen in the approval Twilio reports."""

import pytest
import requests

from conversations_ops.twilio import gateway

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)


def _template(name: str = "courier_invite") -> str:
    return gateway.content_create(
        friendly_name=name,
        language="en",
        variables={"1": "Ana"},
        types={"twilio/text": {"body": "Hi {{1}}, your courier is at the door."}},
    ).sid


def _review(simulator, sid: str, **change) -> dict:
    """WhatsApp's reviewers, played through the control API."""
    response = requests.post(f"{simulator.api_base}/_control/content/{sid}/approval", data=change, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("status", ["received", "pending", "approved", "rejected", "paused", "disabled"])
def test_a_second_approval_request_for_one_content_sid_fails_with_92009(simulator, status):
    sid = _template()
    first = gateway.content_approval_create(sid=sid, name="courier_invite", category="UTILITY")
    assert first.status == "received"
    if status != "received":
        _review(simulator, sid, status=status, rejection_reason="INVALID_FORMAT" if status == "rejected" else "")

    with pytest.raises(gateway.GatewayError) as refused:
        gateway.content_approval_create(sid=sid, name="courier_invite_v2", category="MARKETING")

    assert (refused.value.status, refused.value.code) == (400, 92009)
    assert "already been submitted for approval" in refused.value.message
    assert refused.value.more_info == "https://www.twilio.com/docs/errors/92009"
    # The refused request changed nothing: the first request's approval stands.
    approval = gateway.content_approval_fetch(sid=sid)
    assert (approval.name, approval.category, approval.status) == ("courier_invite", "UTILITY", status)
    # A new template (a new Content SID) is what Twilio asks for, and it is accepted.
    again = gateway.content_approval_create(
        sid=_template("courier_invite_v2"), name="courier_invite_v2", category="UTILITY"
    )
    assert again.status == "received"


def test_a_template_never_submitted_takes_its_first_request_whatever_the_control_api_set(simulator):
    sid = _template()
    _review(simulator, sid, category="MARKETING")  # a category alone submits nothing
    assert gateway.content_approval_fetch(sid=sid).status == "unsubmitted"

    assert gateway.content_approval_create(sid=sid, name="courier_invite", category="UTILITY").status == "received"


def test_recategorisation_is_seen_in_the_approval_fetch_and_the_listing(simulator):
    sid = _template()
    gateway.content_approval_create(sid=sid, name="courier_invite", category="UTILITY")
    _review(simulator, sid, status="approved")

    _review(simulator, sid, category="marketing")  # Meta moves it after approval

    approval = gateway.content_approval_fetch(sid=sid)
    assert (approval.status, approval.category, approval.name) == ("approved", "MARKETING", "courier_invite")
    [listed] = gateway.content_and_approvals_list()
    assert (listed.sid, listed.approval.category, listed.approval.status) == (sid, "MARKETING", "approved")


def test_the_control_api_refuses_an_unknown_category_or_an_empty_change(simulator):
    sid = _template()
    control = f"{simulator.api_base}/_control/content/{sid}/approval"
    assert requests.post(control, data={"category": "PROMOTIONAL"}, timeout=10).status_code == 400
    assert requests.post(control, data={}, timeout=10).status_code == 400
    assert gateway.content_approval_fetch(sid=sid).status == "unsubmitted"
