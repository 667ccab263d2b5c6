import pytest
from django.utils import timezone

from conversations_ops.models import ProcessingState, WebhookEvent
from conversations_ops.webhooks import inbox as webhook_inbox
from conversations_ops.webhooks.reprocess import ReprocessReport, webhook_events_reprocess

pytestmark = pytest.mark.django_db


def event(n, event_type="onMessageAdded", state=ProcessingState.PROCESSED, **fields):
    return WebhookEvent.objects.create(
        source="conversations",
        event_type=event_type,
        dedup_key=f"key-{n}",
        params=[["EventType", event_type]],
        processing_state=state,
        attempts=fields.pop("attempts", 1),
        processed_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def wakes(monkeypatch):
    calls = []
    monkeypatch.setattr(webhook_inbox, "inbox_wake", lambda: calls.append(1))
    return calls


def test_requeues_processed_failed_and_unhandled_events(wakes, admin_user):
    rows = [
        event(1),
        event(2, state=ProcessingState.FAILED, attempts=5, processing_error="Boom"),
        event(3, "onSomethingNew", state=ProcessingState.UNHANDLED),
    ]

    report = webhook_events_reprocess(events=WebhookEvent.objects.all(), user=admin_user)

    assert report == ReprocessReport(queued=3)
    assert wakes == [1]
    for row in rows:
        row.refresh_from_db()
        assert row.processing_state == ProcessingState.PENDING
        assert (row.attempts, row.processing_error, row.processed_at, row.locked_until) == (0, "", None, None)
        assert row.outcome == f"Queued to be applied again by {admin_user}."


def test_pre_events_and_pending_events_are_left_alone(wakes):
    pre = event(1, "onMessageAdd", state=ProcessingState.IGNORED, attempts=0)
    lease = timezone.now()
    claimed = event(2, state=ProcessingState.PENDING, locked_until=lease)

    report = webhook_events_reprocess(events=[pre, claimed])

    assert report == ReprocessReport(queued=0, pre_events=1, already_pending=1)
    assert wakes == []
    pre.refresh_from_db(), claimed.refresh_from_db()
    assert pre.processing_state == ProcessingState.IGNORED
    assert claimed.locked_until == lease


def test_only_the_chosen_events(wakes):
    chosen, other = event(1), event(2)
    webhook_events_reprocess(events=WebhookEvent.objects.filter(pk=chosen.pk))
    other.refresh_from_db()
    assert other.processing_state == ProcessingState.PROCESSED


def test_the_inbox_applies_them_again(django_capture_on_commit_callbacks):
    row = event(1, "onSomethingNew", state=ProcessingState.UNHANDLED, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_events_reprocess(events=[row])
    row.refresh_from_db()
    assert row.processing_state == ProcessingState.UNHANDLED  # still no applier for it
    assert row.attempts == 1 and row.processed_at is not None


@pytest.mark.parametrize(
    ("report", "text"),
    [
        (ReprocessReport(queued=1), "Reprocess: 1 event queued to be applied again."),
        (
            ReprocessReport(queued=0, pre_events=2, already_pending=1),
            "Reprocess: 0 events queued to be applied again; 2 pre-events skipped (answered to Twilio at the time; "
            "nothing to apply); 1 already pending, left to the worker.",
        ),
    ],
)
def test_message(report, text):
    assert report.message() == text
