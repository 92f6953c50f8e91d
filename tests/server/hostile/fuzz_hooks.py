"""Schemathesis checks for the negative-data fuzz run (test_negative_fuzz.py), loaded by name
through ``SCHEMATHESIS_HOOKS``:

- no answer may carry a Python traceback, whatever its status;
- a refused request (4xx) leaves the server's observable state as it was (server_state.py): a
  snapshot is taken before every request and compared with one taken after each refusal.

The state check needs the fuzzed server's data directory, URL and the fuzzing user's token in
``SYNCOXIDE_FUZZ_DATA_DIR``, ``SYNCOXIDE_FUZZ_URL`` and ``SYNCOXIDE_FUZZ_TOKEN``; the run sends
one request at a time, so nothing else moves the state between two snapshots. How many refusals
were compared, per operation, is written as JSON to ``SYNCOXIDE_FUZZ_STATE_REPORT`` at exit
(schemathesis's own report records only the failures of custom checks).
"""

from __future__ import annotations

import atexit
import json
import os
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
import schemathesis

from tests.server.hostile.server_state import ServerState, StateReader, differences

TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/')
LISTING_PAGES = 20  # a listing longer than this many pages of 5,000 is cut, the same way twice

_before: dict[str, ServerState] = {}  # snapshot before the request, by case id
_changes: dict[str, list[str]] = {}  # what a refused request changed, by case id
_compared: Counter[str] = Counter()  # refusals whose before and after were compared, by operation


@schemathesis.check
def no_traceback_in_answer(ctx: Any, response: schemathesis.Response, case: Any) -> bool:
    text = response.text_lossy()
    for mark in TRACEBACK_MARKS:
        if mark in text:
            raise AssertionError(f"The answer shows a traceback ({mark!r}): {text[:300]}")
    return True


@cache
def state_reader() -> StateReader:
    url, token = os.environ["SYNCOXIDE_FUZZ_URL"], os.environ["SYNCOXIDE_FUZZ_TOKEN"]
    client = httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def storage_listing() -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"recursive": "true", "limit": 5000}
        for _ in range(LISTING_PAGES):
            answer = client.get("/api/v1/storage", params=params)
            answer.raise_for_status()
            page = answer.json()
            entries += page["entries"]
            if not page["next_after"]:
                break
            params["after"] = page["next_after"]
        return entries

    return StateReader(Path(os.environ["SYNCOXIDE_FUZZ_DATA_DIR"]), storage_listing)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    _before[case.id] = state_reader().take()


@schemathesis.hook
def after_call(context: Any, case: Any, response: schemathesis.Response) -> None:
    before = _before.pop(case.id, None)
    if before is not None and 400 <= response.status_code < 500:
        _changes[case.id] = differences(before, state_reader().take())
        _compared[case.operation.label] += 1


@atexit.register
def write_state_report() -> None:
    target = os.environ.get("SYNCOXIDE_FUZZ_STATE_REPORT")
    if target:
        Path(target).write_text(json.dumps(dict(_compared)))


@schemathesis.check
def state_unchanged_after_refusal(ctx: Any, response: schemathesis.Response, case: Any) -> bool:
    changed = _changes.pop(case.id, None)
    if changed:
        request = response.request
        body = request.body if isinstance(request.body, bytes | str) else b""
        raise AssertionError(
            f"{case.operation.label}: refused with {response.status_code} but changed the server.\n"
            f"Request: {request.method} {request.url} body={body[:300]!r}\n"
            + "\n".join(f"  {line}" for line in changed)
        )
    return True
