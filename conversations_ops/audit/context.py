"""Where an audited action comes from, and on whose behalf: a context variable.

The admin's middleware marks each admin request (`admin_source`), management
commands mark their work (`shell_source`); code that runs unmarked is the
worker's. A context variable rather than a thread-local, so it stays right
under ASGI and never leaks from one request into the next.
"""

from __future__ import annotations

import contextvars
import getpass
from contextlib import contextmanager
from dataclasses import dataclass

from conversations_ops.models import AuditSource


@dataclass(frozen=True)
class AuditContext:
    source: str
    user: object = None  # for the admin, request.user: lazy, read only when something is recorded
    name: str = ""  # who acted when there is no user: the shell's login name
    command: str = ""


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("audit_context", default=None)


def current() -> AuditContext | None:
    return _context.get()


@contextmanager
def _marked(context: AuditContext):
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


def admin_source(request):
    """Around an admin request (AuditSourceMiddleware): actions are the logged-in staff member's."""
    return _marked(AuditContext(AuditSource.ADMIN, user=request.user))


def shell_source(*, user=None, command: str = ""):
    """Around a management command's work: actions come from the shell, by `user` (--as) or the login name.

    with shell_source(user=as_user, command="twilio_pull"):
        twilio_pull(...)
    """
    return _marked(AuditContext(AuditSource.SHELL, user=user, name=username(user) or _login(), command=command))


def shell_user(user) -> None:
    """A command found out who acts (--as): the rest of its work is theirs. Inside shell_source
    only; its exit restores what was there before, so nothing outlives the command."""
    context = _context.get()
    if context is not None and context.source == AuditSource.SHELL and user is not None:
        _context.set(AuditContext(AuditSource.SHELL, user=user, name=username(user), command=context.command))


def username(user) -> str:
    return user.get_username() if getattr(user, "is_authenticated", False) else ""


def _login() -> str:
    try:
        return f"{getpass.getuser()} (shell)"
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return "shell"
