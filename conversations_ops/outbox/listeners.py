"""Who hears that an outbox operation settled (succeeded, failed or was cancelled).

Workflows that wait on a push (a pairing's next step) register a listener
here; the outbox calls each one inside the transaction that closes the
operation (states.close), so the workflow's next writes commit with it.
The outbox knows no workflow: the app's ready() (apps.py) connects them.
"""

from collections.abc import Callable

_settled: list[Callable] = []


def operation_settled_connect(listener: Callable) -> None:
    """`listener(operation=op)` is called for every settled operation; connecting twice is a no-op."""
    if listener not in _settled:
        _settled.append(listener)


def operation_settled(*, operation) -> None:
    for listener in tuple(_settled):
        listener(operation=operation)
