"""Rotating the auth token without refusing webhooks: TWILIO_PREVIOUS_AUTH_TOKEN.

Twilio signs each request with the token that was primary when it sent it, so
requests signed with the old token keep arriving for a while after the switch.
"""

import logging

import pytest

from conversations_ops.models import WebhookEvent

from .fixtures import fixture_pairs
from .signing import PATHS, sign, signed_post

pytestmark = pytest.mark.django_db

TEXT = "conversations__onMessageAdded__text"


@pytest.fixture
def rotated(settings):
    """The console has moved to the new token; the old one is kept for the rotation window."""
    settings.TWILIO_PREVIOUS_AUTH_TOKEN = settings.TWILIO_AUTH_TOKEN
    settings.TWILIO_AUTH_TOKEN = "the-new-primary-token"
    return settings


def test_a_request_signed_with_the_previous_token_is_accepted_and_logged(client, rotated, caplog):
    pairs = fixture_pairs(TEXT)
    old = sign(PATHS["conversations"], pairs, token=rotated.TWILIO_PREVIOUS_AUTH_TOKEN)
    with caplog.at_level(logging.WARNING, logger="conversations_ops.webhooks.signature"):
        response = signed_post(client, "conversations", pairs, signature=old)
    assert response.status_code == 200, response.content
    assert WebhookEvent.objects.get().signature_valid
    assert "TWILIO_PREVIOUS_AUTH_TOKEN" in caplog.text
    assert rotated.TWILIO_PREVIOUS_AUTH_TOKEN not in caplog.text


def test_a_request_signed_with_the_new_token_is_accepted_quietly(client, rotated, caplog):
    pairs = fixture_pairs(TEXT)
    new = sign(PATHS["conversations"], pairs, token="the-new-primary-token")
    with caplog.at_level(logging.WARNING, logger="conversations_ops.webhooks.signature"):
        response = signed_post(client, "conversations", pairs, signature=new)
    assert response.status_code == 200
    assert "PREVIOUS" not in caplog.text


def test_after_the_rotation_window_the_old_token_is_refused(client, rotated):
    pairs = fixture_pairs(TEXT)
    old = sign(PATHS["conversations"], pairs, token=rotated.TWILIO_PREVIOUS_AUTH_TOKEN)
    rotated.TWILIO_PREVIOUS_AUTH_TOKEN = ""
    response = signed_post(client, "conversations", pairs, signature=old)
    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_any_other_token_is_still_refused_during_the_rotation(client, rotated):
    pairs = fixture_pairs(TEXT)
    other = sign(PATHS["conversations"], pairs, token="neither-the-old-nor-the-new")
    assert signed_post(client, "conversations", pairs, signature=other).status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_a_signing_key_request_does_not_fall_back_to_the_previous_token(client, rotated):
    """A request naming a configured signing key is checked with that key only."""
    rotated.TWILIO_WEBHOOK_SIGNING_KEYS = {"KS-primary": "the-signing-key-secret"}
    pairs = fixture_pairs(TEXT)
    old = sign(PATHS["conversations"], pairs, token=rotated.TWILIO_PREVIOUS_AUTH_TOKEN, algorithm="HMAC_SHA256")
    response = signed_post(
        client,
        "conversations",
        pairs,
        signature=old,
        headers={"X-Twilio-Webhooks-Signature-Settings": "key=KS-primary,algorithm=HMAC_SHA256"},
    )
    assert response.status_code == 403
