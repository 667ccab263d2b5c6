"""An interrupted pull continues at the page it had not committed, and ends with the full set."""

import pytest

from conversations_ops.models import Message, PullCheckpoint, SyncState
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.twilio import gateway

from . import sim_state

pytestmark = pytest.mark.slow


def interrupt_messages_after(monkeypatch, pages: int):
    """Lets `pages` message pages through, then raises on the next one, as Ctrl-C would."""
    original, calls = gateway.message_page, []

    def page(**kwargs):
        calls.append(kwargs)
        if len(calls) > pages:
            raise KeyboardInterrupt
        return original(**kwargs)

    monkeypatch.setattr(gateway, "message_page", page)
    return lambda: monkeypatch.setattr(gateway, "message_page", original)


def test_a_resumed_pull_does_not_read_page_one_again(simulator, monkeypatch, requests_made):
    sim_conv = sim_state.conversation(messages=250)
    twilio_pull(resources=["conversations"])
    restore = interrupt_messages_after(monkeypatch, pages=1)
    with pytest.raises(KeyboardInterrupt):
        twilio_pull(resources=["messages"])
    assert Message.objects.count() == 100
    checkpoint = PullCheckpoint.objects.get(resource="messages", scope=sim_conv.sid)
    assert "Page=1" in checkpoint.next_page_url and checkpoint.finished_at is None and checkpoint.items == 100
    restore()
    requests_made.urls.clear()

    summary = twilio_pull(resources=["messages"])

    pages = requests_made.to(f"/Conversations/{sim_conv.sid}/Messages")
    assert len(pages) == 2 and "Page=1" in pages[0] and "Page=2" in pages[1], pages
    assert (summary.resources["messages"].created, summary.resources["messages"].deleted) == (150, 0)
    assert sorted(Message.objects.values_list("index", flat=True)) == list(range(250))
    assert not Message.objects.exclude(sync_state=SyncState.SYNCED).exists()
    checkpoint.refresh_from_db()
    assert checkpoint.finished_at and not checkpoint.next_page_url and checkpoint.items == 250


def test_a_resumed_full_pull_skips_what_the_interrupted_one_finished(simulator, monkeypatch, requests_made):
    first = sim_state.conversation(messages=30, **sim_state.people(1))
    second = sim_state.conversation(messages=150, **sim_state.people(2))
    sim_state.address()
    sim_state.content()
    restore = interrupt_messages_after(monkeypatch, pages=2)  # first conversation, then page 1 of the second
    with pytest.raises(KeyboardInterrupt):
        twilio_pull()
    restore()
    requests_made.urls.clear()

    summary = twilio_pull()

    assert list(summary.resources) == ["messages", "templates", "configuration"]  # addresses..participants were done
    assert not requests_made.to(f"/Conversations/{first.sid}/")
    assert len(requests_made.to(f"/Conversations/{second.sid}/Messages")) == 1
    assert Message.objects.count() == 180 and summary.resources["messages"].deleted == 0
    # The pass is finished: the next pull is a new, complete one that changes nothing.
    again = twilio_pull()
    assert list(again.resources) == [
        "addresses",
        "conversations",
        "participants",
        "messages",
        "templates",
        "configuration",
    ]
    assert again.changed == 0


def test_no_resume_starts_over(simulator, monkeypatch, requests_made):
    sim_conv = sim_state.conversation(messages=150)
    twilio_pull(resources=["conversations"])
    restore = interrupt_messages_after(monkeypatch, pages=1)
    with pytest.raises(KeyboardInterrupt):
        twilio_pull(resources=["messages"])
    restore()
    requests_made.urls.clear()

    summary = twilio_pull(resources=["messages"], resume=False)

    assert len(requests_made.to(f"/Conversations/{sim_conv.sid}/Messages")) == 2
    assert (summary.resources["messages"].created, summary.resources["messages"].unchanged) == (50, 100)


def test_a_time_budget_stops_between_pages_and_the_next_run_continues(simulator):
    sim_state.conversation(messages=120)
    twilio_pull(resources=["conversations"])

    stopped = twilio_pull(resources=["messages"], time_budget=0)
    assert not stopped.complete and Message.objects.count() == 0
    assert "stopped" in stopped.line("messages")

    finished = twilio_pull(resources=["messages"])
    assert finished.complete and Message.objects.count() == 120


def test_a_resumed_page_url_goes_to_the_configured_api_base(simulator, requests_made):
    sim_state.conversation(messages=101)
    twilio_pull(resources=["conversations"])
    twilio_pull(resources=["messages"])
    assert all(url.startswith(f"GET {simulator.api_base}/") for url in requests_made.urls)


def test_a_full_pull_after_an_interrupted_partial_one_still_lists_everything(simulator, monkeypatch):
    """Only listings finished by the interrupted run itself are skipped, not ones it never selected."""
    sim_state.conversation(messages=150)
    sim_state.address()
    twilio_pull(resources=["conversations", "participants"])
    restore = interrupt_messages_after(monkeypatch, pages=1)
    with pytest.raises(KeyboardInterrupt):
        twilio_pull(resources=["messages"])
    restore()

    summary = twilio_pull()

    assert list(summary.resources) == [
        "addresses",
        "conversations",
        "participants",
        "messages",
        "templates",
        "configuration",
    ]
    assert summary.resources["addresses"].created == 1 and summary.resources["messages"].created == 50


def test_the_scheduled_pull_is_time_boxed_and_resumes(simulator, monkeypatch):
    from conversations_ops.pull import runner as pull

    sim_state.conversation(messages=5)
    monkeypatch.setattr(pull, "SCHEDULED_TIME_BUDGET", 0)
    assert "stopped" in pull.pull_scheduled() and not Message.objects.exists()
    monkeypatch.setattr(pull, "SCHEDULED_TIME_BUDGET", 60)
    assert "messages: 5 read, 5 created" in pull.pull_scheduled()


def test_a_checkpoint_pointing_at_another_server_starts_that_listing_over(simulator, monkeypatch):
    sim_conv = sim_state.conversation(messages=150)
    twilio_pull(resources=["conversations"])
    restore = interrupt_messages_after(monkeypatch, pages=1)
    with pytest.raises(KeyboardInterrupt):
        twilio_pull(resources=["messages"])
    restore()
    checkpoint = PullCheckpoint.objects.get(resource="messages", scope=sim_conv.sid)
    checkpoint.next_page_url = checkpoint.next_page_url.replace(simulator.url, "http://127.0.0.1:9")
    checkpoint.save()

    summary = twilio_pull(resources=["messages"])

    assert (summary.resources["messages"].created, summary.resources["messages"].unchanged) == (50, 100)
