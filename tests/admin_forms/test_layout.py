"""Forms that ask only what matters (issue 21, item 3): no sync fields on an add form; on a
change form one status line on top (synced / waiting / failed with its meaning and next step,
Push now or Retry failed for those who may) and the sync details folded after the fields.
The layout is the base class's (admin/base.py), so every mirror admin has it, the address
configuration's included."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conversations_ops.admin.base import MIRROR_FIELDS
from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    OperationState,
    Participant,
    SyncOperation,
    SyncState,
    Template,
)
from conversations_ops.twilio.error_codes import CODES
from tests.admin_forms.helpers import fieldsets, mirror_fields_shown
from tests.helpers.admin_forms import url
from tests.roles.staff import AUDITOR, OPS, SUPPORT, client_for, staff_user

pytestmark = pytest.mark.django_db

ADDABLE = [AddressConfiguration, Conversation, Participant, ConversationWebhook]
CHANGEABLE = ["address_configuration", "conversation", "participant", "conversation_webhook", "template"]
PUSHED = {"address_configuration", "conversation", "participant", "conversation_webhook"}
MOMENT = datetime(2026, 3, 4, 9, 12, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def today_at_0912(settings, monkeypatch):
    """Times on the page are HH:MM for today: make 09:12 UTC today."""
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(timezone, "now", lambda: MOMENT.replace(hour=15))
    return MOMENT


def _operation(row, state, **fields):
    op = SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(row),
        object_id=row.pk,
        operation=f"{row._meta.model_name}.create",
        ordering_key=f"test:{row.pk}",
        state=state,
        **fields,
    )
    SyncOperation.objects.filter(pk=op.pk).update(created_at=MOMENT)  # auto_now_add ignores a value given
    return op


def _text(response) -> str:
    """The page's words, tags dropped and spaces folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# Add forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m._meta.model_name)
def test_an_add_form_shows_no_sync_field(admin_client, model):
    response = admin_client.get(url(model, "add"))
    assert response.status_code == 200
    assert mirror_fields_shown(response) == set()
    assert "sync_status" not in {n for _, _, fields in fieldsets(response) for n in fields}
    assert "Twilio identity and sync" not in response.content.decode()
    assert "Twilio SID" not in response.content.decode()


def test_the_conversation_add_form_asks_a_name_and_folds_the_rest(admin_client):
    response = admin_client.get(url(Conversation, "add"))
    (first, more) = fieldsets(response)
    assert first == (None, (), ["friendly_name", "unique_name"])
    assert more[1] == ("collapse",) and "state" in more[2]
    assert response.context["adminform"].form.initial.get("state", "active") == "active"
    assert response.context["inline_admin_formsets"] == []  # no empty participant tables on a new conversation
    # Nothing Twilio fills in (timer dates, service, links to pages of a record that does not exist yet).
    assert not {"date_inactive", "date_closed", "chat_service_sid", "pairing_link"} & set(more[2] + first[2])


def test_the_template_add_page_asks_name_language_category_body_and_variables_first(admin_client):
    response = admin_client.get(url(Template, "add"))
    assert response.status_code == 200
    assert list(response.context["form"].fields)[:5] == ["friendly_name", "language", "category", "body", "samples"]
    page = response.content.decode()
    assert not {f"field-{name}" for name in MIRROR_FIELDS} & set(re.findall(r"field-\w+", page))
    assert "Twilio SID" not in page and "Sync state" not in page


# Change forms: the status line -----------------------------------------------------------------


@pytest.mark.parametrize("fixture", CHANGEABLE)
def test_a_synced_record_says_when_and_folds_the_details(admin_client, request, fixture, today_at_0912):
    row = request.getfixturevalue(fixture)
    type(row).objects.filter(pk=row.pk).update(sync_state=SyncState.SYNCED, last_synced_at=today_at_0912)
    response = admin_client.get(url(type(row), "change", row.pk))
    blocks = fieldsets(response)
    assert blocks[0][2] == ["sync_status"]
    assert "Synced with Twilio at 09:12." in _text(response)
    # The details come last, folded: Django's "collapse" renders them in a closed <details>.
    heading, classes, fields = blocks[-1]
    assert "collapse" in classes and {"sid", "local_id", "date_created"} <= set(fields)
    assert "last_synced_at" not in {n for _, _, names in blocks[:-1] for n in names}
    page = response.content.decode()
    assert re.search(rf"<details>\s*<summary>\s*<h2[^>]*>\s*{heading}", page)
    assert page.index("Synced with Twilio at") < page.index(heading)


@pytest.mark.parametrize("fixture", CHANGEABLE)
def test_a_waiting_record_says_since_when_and_offers_push_now(admin_client, request, fixture, today_at_0912):
    row = request.getfixturevalue(fixture)
    type(row).objects.filter(pk=row.pk).update(sync_state=SyncState.PENDING)
    _operation(row, OperationState.PENDING)
    response = admin_client.get(url(type(row), "change", row.pk))
    assert "Waiting to be pushed to Twilio (queued 09:12)." in _text(response)
    links = re.findall(r'class="button sync-status-action" href="([^"]+)">([^<]+)<', response.content.decode())
    if fixture in PUSHED:
        assert links == [(url(type(row), "sync_row", row.pk, "push_now"), "Push now")]
    else:
        assert links == []  # templates are read from Twilio, never pushed from here


@pytest.mark.parametrize("fixture", CHANGEABLE)
def test_a_failed_record_says_the_code_its_meaning_and_the_next_step(admin_client, request, fixture):
    row = request.getfixturevalue(fixture)
    type(row).objects.filter(pk=row.pk).update(
        sync_state=SyncState.FAILED, last_sync_error_code=50416, last_sync_error="Binding already exists"
    )
    _operation(row, OperationState.FAILED, last_error_code=50416, last_error_status=409)
    response = admin_client.get(url(type(row), "change", row.pk))
    title, meaning, next_step = CODES[50416]
    status_line = _text(response).split("Failed:", 1)[1]
    assert status_line.lstrip().startswith(f"50416 · {title}")
    assert "Twilio said: Binding already exists" in status_line
    assert meaning in status_line and f"Next step: {next_step}" in status_line
    links = re.findall(r'class="button sync-status-action" href="([^"]+)">([^<]+)<', response.content.decode())
    if fixture in PUSHED:
        assert links == [(url(type(row), "sync_row", row.pk, "retry_failed"), "Retry failed")]
    else:
        assert links == []


@pytest.mark.parametrize("fixture", ["address_configuration", "participant"])
def test_staff_who_may_not_push_read_the_same_line_without_links(request, fixture):
    row = request.getfixturevalue(fixture)
    type(row).objects.filter(pk=row.pk).update(sync_state=SyncState.FAILED, last_sync_error_code=50416)
    auditor = client_for(staff_user(AUDITOR))
    response = auditor.get(url(type(row), "change", row.pk))
    assert "Failed:" in _text(response) and CODES[50416][2] in _text(response)
    assert "sync-status-action" not in response.content.decode()
    assert auditor.get(url(type(row), "sync_row", row.pk, "retry_failed")).status_code == 403


def test_the_status_line_of_the_role_that_pushes_has_the_link(address_configuration):
    AddressConfiguration.objects.filter(pk=address_configuration.pk).update(sync_state=SyncState.PENDING)
    support = client_for(staff_user(SUPPORT))
    response = support.get(url(AddressConfiguration, "change", address_configuration.pk))
    assert "Push now" in response.content.decode()
    ops = client_for(staff_user(OPS))  # Ops may view address configurations, not push them
    page = ops.get(url(AddressConfiguration, "change", address_configuration.pk))
    assert "sync-status-action" not in page.content.decode()


# The status line's actions ---------------------------------------------------------------------


def test_push_now_asks_first_then_pushes_this_record_only(admin_client, conversation, monkeypatch):
    from conversations_ops.mirror.reports import ActionReport
    from conversations_ops.outbox import actions

    other = Conversation.objects.create(unique_name="order-other")
    pushed = []
    monkeypatch.setattr(actions, "mirror_rows_push_now", lambda rows: pushed.append(list(rows)) or ActionReport())
    page = admin_client.get(url(Conversation, "sync_row", conversation.pk, "push_now"))
    assert page.status_code == 200 and pushed == []  # a GET never calls Twilio
    assert 'method="post"' in page.content.decode()
    response = admin_client.post(url(Conversation, "sync_row", conversation.pk, "push_now"))
    assert response.status_code == 302 and response["Location"] == url(Conversation, "change", conversation.pk)
    assert pushed == [[conversation]] and other not in pushed[0]


def test_retry_failed_puts_the_failed_change_back_in_the_queue(admin_client, conversation):
    Conversation.objects.filter(pk=conversation.pk).update(sync_state=SyncState.FAILED)
    op = _operation(conversation, OperationState.FAILED, last_error_code=50416, attempts=8)
    response = admin_client.post(url(Conversation, "sync_row", conversation.pk, "retry_failed"), follow=True)
    op.refresh_from_db()
    assert (op.state, op.attempts) == (OperationState.PENDING, 0)
    assert any("Retry failed" in str(m) for m in response.context["messages"])


def test_an_unknown_row_action_is_not_found(admin_client, conversation):
    assert admin_client.get(url(Conversation, "sync_row", conversation.pk, "delete_selected")).status_code == 404


def test_a_record_twilio_deleted_says_so(admin_client, conversation, today_at_0912):
    Conversation.objects.filter(pk=conversation.pk).update(
        sync_state=SyncState.DELETED_REMOTELY, last_seen_at=today_at_0912
    )
    response = admin_client.get(url(Conversation, "change", conversation.pk))
    assert "Deleted on Twilio (last seen 09:12)." in _text(response)
    assert "sync-status-action" not in response.content.decode()


def test_the_status_line_and_its_confirmation_mask_the_persons_number(participant):
    """Ops may push participants but not see whole numbers: Twilio's words and the record's name are masked."""
    Participant.objects.filter(pk=participant.pk).update(
        sync_state=SyncState.FAILED,
        last_sync_error_code=50416,
        last_sync_error=f"{participant.messaging_binding_address} already talks to this number",
    )
    ops = client_for(staff_user(OPS))
    digits = participant.messaging_binding_address.removeprefix("whatsapp:+")
    page = ops.get(url(Participant, "change", participant.pk))
    assert "Retry failed" in page.content.decode() and digits not in page.content.decode()
    confirm = ops.get(url(Participant, "sync_row", participant.pk, "retry_failed"))
    assert confirm.status_code == 200 and digits not in confirm.content.decode()
