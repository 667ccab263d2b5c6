"""`manage.py twilio_pull`: progress, one summary line per resource, exit 1 with Twilio's reason."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from conversations_ops.models import Message
from conversations_ops.twilio import gateway

from . import sim_state

pytestmark = pytest.mark.slow


def test_the_command_shows_progress_and_a_summary_per_resource(simulator):
    sim_state.conversation(messages=130)
    out, err = StringIO(), StringIO()

    call_command("twilio_pull", "--resources", "conversations,participants,messages", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert lines == [
        "conversations: 1 read, 1 created, 0 updated, 0 unchanged, 0 deleted",
        "participants: 3 read, 3 created, 0 updated, 0 unchanged, 0 deleted",
        "messages: 130 read, 130 created, 0 updated, 0 unchanged, 0 deleted",
    ]
    assert "messages" in err.getvalue() and "130" in err.getvalue()  # the tqdm bar
    assert Message.objects.count() == 130

    out = StringIO()
    call_command("twilio_pull", "--resources", "messages", "--no-resume", stdout=out, stderr=StringIO())
    assert out.getvalue() == "messages: 130 read, 0 created, 0 updated, 130 unchanged, 0 deleted\n"


def test_unknown_resources_are_refused():
    with pytest.raises(CommandError, match="Unknown resources: chats"):
        call_command("twilio_pull", "--resources", "messages,chats")


class ConsoleSettings:
    """The console's settings with another auth token; the simulator (same process) keeps the right one."""

    def __init__(self, token):
        self.token = token

    def __getattr__(self, name):
        return self.token if name == "TWILIO_AUTH_TOKEN" else getattr(settings, name)


def test_a_wrong_token_exits_1_with_twilio_s_code_and_message(simulator, monkeypatch, capsys):
    sim_state.conversation()
    monkeypatch.setattr(gateway, "settings", ConsoleSettings("wrong-token"))

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "twilio_pull", "--resources", "conversations"]).execute()

    assert exit_info.value.code == 1
    error = capsys.readouterr().err
    assert "HTTP 401, error 20003" in error and "Authenticate" in error and "TWILIO_AUTH_TOKEN" in error
