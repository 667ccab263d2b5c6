"""Every text field of every console model holding whole numbers, for the number crawl."""

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from conversations_ops.admin.masked import OWN_NUMBER_FIELDS
from conversations_ops.models import (
    AccountConfiguration,
    AuditEntry,
    ClientelingTeam,
    Customer,
    CustomerConversation,
    MessagingInbound,
    MetricCounter,
    PacingBucket,
    PairingStep,
    PullCheckpoint,
    TeamMembership,
    WorkerHeartbeat,
)
from tests.privacy.numbers import PERSON, SEED_JSON, SEED_PARAMS, SEED_TEXT, whole_numbers_in
from tests.roles.conftest import no_push, rows, staff  # noqa: F401 - fixtures shared with the role tests

# Fields left as they are, and why: their values steer code (Twilio identifiers, keys the code
# looks up), never free text a person could have written. Everything else gets numbers.
NOT_SEEDED = {
    "dedup_key": "the inbox's natural key, built by the console",
    "operation": "the outbox registry's operation name",
    "ordering_key": "the outbox's queue key",
    "key": "the pacing bucket's key",
    "resource": "the pull's resource name",
    # Twilio's status and category words (approved, paused, UTILITY...): only Twilio fills them.
    "approval_status": "Twilio's status word",
    "approval_category": "Twilio's category word",
    "old_status": "Twilio's status word",
    "new_status": "Twilio's status word",
    "old_category": "Twilio's category word",
    "new_category": "Twilio's category word",
    "language": "a language code (en, pt_BR)",
}


def _is_identifier(field) -> bool:
    return field.name == "sid" or field.name.endswith("_sid") or bool(field.choices) or field.name in NOT_SEEDED


def seedable_fields(model):
    own = OWN_NUMBER_FIELDS.get(model._meta.model_name, set())
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not _is_identifier(f)
        and f.name not in own
    ]


def _seeded_json(value):
    if isinstance(value, list) and (not value or all(isinstance(i, list) for i in value)):
        return [*value, *SEED_PARAMS]  # a webhook's parameters: pairs
    if isinstance(value, list):
        return [*value, dict(SEED_JSON)] if any(isinstance(i, dict) for i in value) else [*value, SEED_TEXT]
    if isinstance(value, dict):
        return {**value, "seeded": dict(SEED_JSON), "WaId": "15017122661"}
    return dict(SEED_JSON)


def _seeded_text(value: str, row, max_length: int | None = None) -> str:
    if value and whole_numbers_in(value):
        return value  # an address already: the person's number, whole
    text = f"{SEED_TEXT} (row {row.pk})"  # the row's id keeps unique fields unique
    text = f"{value} {text}" if value else text
    if max_length is None or len(text) <= max_length:
        return text
    # PostgreSQL enforces the length SQLite ignores: the longest seed that fits, still a whole number.
    for short in (f"whatsapp:{PERSON} (row {row.pk})", f"{PERSON} {row.pk}", PERSON):
        if len(short) <= max_length:
            return short
    return value  # too short to hold a number at all


def _more_rows(made) -> None:
    """One row of each model the role tests' `rows` does not make."""
    now = timezone.now()
    AccountConfiguration.objects.create(pulled_at=now)
    MessagingInbound.objects.create(
        message_sid="SM" + "1" * 32,
        from_address=f"whatsapp:{PERSON}",
        to_address="whatsapp:+14155238886",
        received_at=now,
    )
    WorkerHeartbeat.objects.create(host="worker-1", beat_at=now)
    MetricCounter.objects.create(name="webhook_received:status")
    PacingBucket.objects.create(key="service", tokens=1, updated_at=now)
    PullCheckpoint.objects.create(resource="conversations", started_at=now)
    PairingStep.objects.create(pairing=made.pairing, kind="customer", state="failed")
    AuditEntry.objects.create(source="admin", action="participant.add", result_state="failed")
    customer = Customer.objects.create(
        sender=made.addressconfiguration, whatsapp_address=f"whatsapp:{PERSON}", advisor=_any_user()
    )
    CustomerConversation.objects.create(customer=customer, conversation=made.conversation)
    team = ClientelingTeam.objects.create(name="Boutique")
    TeamMembership.objects.create(team=team, advisor=_any_user())
    LogEntry.objects.create(
        user=_any_user(),
        content_type=ContentType.objects.get_for_model(made.participant),
        object_id=str(made.participant.pk),
        object_repr=f"whatsapp:{PERSON}",
        action_flag=CHANGE,
        change_message=SEED_TEXT,
    )


def _any_user():
    return User.objects.get_or_create(username="seeder", defaults={"is_staff": True})[0]


def seed_every_text_field() -> list:
    """Numbers into every text field of every row of every console model; the models found empty."""
    empty = []
    for model in apps.get_app_config("conversations_ops").get_models():
        if not model._meta.managed:
            continue  # ConsoleAccess: no table, it only carries the console's permissions
        fields = seedable_fields(model)
        rows_of_model = list(model.objects.all())
        if not rows_of_model:
            empty.append(model.__name__)
        for row in rows_of_model:
            for field in fields:
                value = getattr(row, field.attname)
                if isinstance(field, models.JSONField):
                    seeded = _seeded_json(value)
                else:
                    seeded = _seeded_text(value or "", row, field.max_length)
                setattr(row, field.attname, seeded)
            if fields:
                model.objects.filter(pk=row.pk).update(**{f.attname: getattr(row, f.attname) for f in fields})
    return empty


@pytest.fixture
def seeded_rows(rows):  # noqa: F811 - the fixture imported above
    _more_rows(rows)
    empty = seed_every_text_field()
    assert not empty, f"models with no row to seed: {empty} (make one in _more_rows)"
    return rows
