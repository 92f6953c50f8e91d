"""API operation: what changed in your files since a token (change_feed.py), as a long poll.

A poll ends when its client goes: a client that left (a stopped ``--watch``, a closed mount)
would otherwise hold it for nobody up to LONGEST_WAIT seconds, and a server stopping meanwhile
waits for every request under way (seen: 15 s for each stop after a watch had ended).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from starlette.requests import Request

from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import STR, Call, Operation, obj
from syncoxide.server.files.change_feed import LONGEST_WAIT, StorageChangeFeed

T = TypeVar("T")


async def storage_changes(call: Call) -> dict[str, Any]:
    feed: StorageChangeFeed = call.request.app.state.storage_changes
    since = call.request.query_params.get("since")
    wait = call.int_query("wait", 0, 0, int(LONGEST_WAIT))
    if since is None:
        return {"token": feed.token(call.user.id), "paths": []}
    if len(since) > 100:
        raise ApiError(400, "bad_query", "'since' is not a token from this call.")
    found = await unless_client_leaves(call.request, feed.since(call.user.id, since, wait))
    if found is None:  # nobody reads this answer; it is made only to end the call
        found = await feed.since(call.user.id, since)
    return {"token": found.token, "paths": found.paths}


async def unless_client_leaves(request: Request, waiting: Awaitable[T]) -> T | None:
    """What ``waiting`` gives, or None as soon as the client has closed its connection."""
    answer = asyncio.ensure_future(waiting)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait((answer, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        answer.cancel()  # no-op once done
        gone.cancel()
    return answer.result() if answer in done else None


async def _disconnected(request: Request) -> None:
    """Returns when the server says the client went (the request's body is read and
    dropped on the way: a long poll has none)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


CHANGES_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/storage/changes",
        storage_changes,
        "Paths changed since a token (none given: a token for now); waits up to `wait` "
        'seconds for a change. [""] means: changed, paths unknown (look at everything)',
        answer=obj(("token", "paths"), token=STR, paths={"type": "array", "items": STR}),
        query=(
            ("since", STR),
            ("wait", {"type": "integer", "minimum": 0, "maximum": int(LONGEST_WAIT)}),
        ),
    ),
)
