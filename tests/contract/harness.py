"""The contract harness: every requests call validated against Twilio's OpenAPI specs."""

from __future__ import annotations

import json as jsonlib
import re
from collections import defaultdict, deque
from contextlib import contextmanager
from typing import NamedTuple

import responses

from .openapi_contract import OperationMatch, example_response, validate_request

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class Call(NamedTuple):
    operation_id: str | None  # None when the request matched no operation
    method: str
    url: str
    data: object  # parsed body (form: dict of lists; JSON: document), else the query (dict of lists)


class TwilioContract:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.matches: list[OperationMatch] = []
        self.failures: list[str] = []
        self._replies: dict[str, deque] = defaultdict(deque)

    def reply_next(
        self, operation_id: str, status: int = 200, json=None, body: str = "", headers: dict | None = None
    ) -> None:
        """Answer the next (valid) request to operation_id with this reply instead of the example."""
        text = jsonlib.dumps(json) if json is not None else body
        self._replies[operation_id].append((status, dict(headers or {}), text))

    def pop_failures(self) -> list[str]:
        """Contract violations collected so far (cleared, so teardown will not re-raise them)."""
        failures, self.failures = self.failures, []
        return failures

    def assert_clean(self) -> None:
        failures = self.pop_failures()
        if failures:
            raise AssertionError("\n\n".join(failures))

    @property
    def operation_ids(self) -> list[str | None]:
        return [call.operation_id for call in self.calls]

    def _callback(self, request):
        try:
            match = validate_request(request)
        except AssertionError as exc:  # never raise inside the transport: the caller may swallow it
            self.failures.append(str(exc))
            self.calls.append(Call(None, request.method, request.url, request.body))
            # No Twilio error code on purpose: this is the harness speaking, not Twilio.
            error = {"status": 400, "message": f"OpenAPI contract violation (tests/contract harness): {exc}"}
            return 400, {"Content-Type": "application/json"}, jsonlib.dumps(error)
        self.matches.append(match)
        self.calls.append(
            Call(match.operation_id, match.method, match.url, match.body if match.body is not None else match.query)
        )
        if self._replies[match.operation_id]:
            status, headers, text = self._replies[match.operation_id].popleft()
            return status, {"Content-Type": "application/json", **headers}, text
        status, body = example_response(match)
        if body is None:
            return status, {}, ""
        return status, {"Content-Type": "application/json"}, jsonlib.dumps(body)


@contextmanager
def twilio_contract_session():
    """Intercept every `requests` call (any method, any URL) for the duration of the block.
    Violations not popped by the test are raised on exit, as are unused reply_next() replies."""
    contract = TwilioContract()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in METHODS:
            mock.add_callback(method, re.compile(r".*"), callback=contract._callback)
        yield contract
    unused = {op: len(queue) for op, queue in contract._replies.items() if queue}
    contract.assert_clean()
    assert not unused, f"replies queued with reply_next() were never used: {unused}"
