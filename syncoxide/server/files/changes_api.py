"""API operation: what changed in your files since a token (change_feed.py), as a long poll."""

from __future__ import annotations

from typing import Any

from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import STR, Call, Operation, obj
from syncoxide.server.files.change_feed import LONGEST_WAIT, StorageChangeFeed


async def storage_changes(call: Call) -> dict[str, Any]:
    feed: StorageChangeFeed = call.request.app.state.storage_changes
    since = call.request.query_params.get("since")
    wait = call.int_query("wait", 0, 0, int(LONGEST_WAIT))
    if since is None:
        return {"token": feed.token(call.user.id), "paths": []}
    if len(since) > 100:
        raise ApiError(400, "bad_query", "'since' is not a token from this call.")
    found = await feed.since(call.user.id, since, wait)
    return {"token": found.token, "paths": found.paths}


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
