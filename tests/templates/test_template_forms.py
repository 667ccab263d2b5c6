"""The create and submit forms refuse bad input beside the field, before anything reaches Twilio."""

import pytest
from django.urls import reverse
from django_q.models import Schedule

from conversations_ops.models import Template
from conversations_ops.schedules import schedules_ensure
from conversations_ops.twilio import gateway

pytestmark = pytest.mark.django_db

GOOD = {
    "friendly_name": "courier_invite",
    "language": "en",
    "body": "Hi {{1}}, {{2}} is on the way.",
    "samples": "Ana\nRobert",
    "submit": "on",
    "approval_name": "courier_invite",
    "category": "UTILITY",
}


@pytest.fixture(autouse=True)
def no_twilio(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("a refused form must not reach Twilio")

    monkeypatch.setattr(gateway, "content_create", refuse)
    monkeypatch.setattr(gateway, "content_approval_create", refuse)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"body": "Hi {{1}}, see you at {{3}}."}, "body", "without gaps"),
        ({"body": "Hi {{2}}.", "samples": "Ana"}, "body", "without gaps"),
        ({"body": "Hi {{name}}."}, "body", "is not a number"),
        ({"body": "Hi {{01}}.", "samples": "Ana"}, "body", "is not a number"),
        ({"body": "x" * 1025, "samples": ""}, "body", "at most 1024"),
        ({"samples": "Ana"}, "samples", "the text has 2, you gave 1"),
        ({"samples": "Ana\nRobert\nExtra"}, "samples", "the text has 2, you gave 3"),
        ({"approval_name": "Courier-Invite"}, "approval_name", "lower-case letters"),
        ({"category": "PROMO"}, "category", "Select a valid choice"),
        ({"approval_name": ""}, "approval_name", "Required to submit"),
        ({"language": ""}, "language", "required"),
    ],
)
def test_create_form_errors_are_keyed_by_field(admin_client, changes, field, words):
    response = admin_client.post(reverse("admin:conversations_ops_template_add"), {**GOOD, **changes})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not Template.objects.exists()


def test_submit_form_checks_name_and_category(admin_client, template):
    template.approval_status = "unsubmitted"
    template.save()
    url = reverse("admin:conversations_ops_template_submit", args=[template.pk])

    response = admin_client.post(url, {"approval_name": "bad name!", "category": "MARKETING"})

    assert "lower-case letters" in " ".join(response.context["form"].errors["approval_name"])
    template.refresh_from_db()
    assert template.approval_status == "unsubmitted"


def test_template_sync_runs_on_a_schedule():
    schedules_ensure()
    schedule = Schedule.objects.get(name="template-sync")
    assert schedule.func == "conversations_ops.tasks.template_sync_scheduled"
    assert schedule.minutes == 10 and schedule.repeats == -1
    assert schedules_ensure() == []
