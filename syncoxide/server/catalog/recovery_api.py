"""Catalog API operations on the trash and the kept versions of the server's own storage:
list, restore, delete forever, keep forever."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import BOOL, INT, STR, Call, Operation, obj
from syncoxide.server.catalog.entries_json import BASE, DIGITS, MAX_ID
from syncoxide.server.files.history import HistoryItem
from syncoxide.server.files.recovery import FileRecovery

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_ITEM = obj(
    ("id", "path", "kind", "size", "kept_at", "keep_forever"),
    id=INT,
    path=STR,
    kind=STR,
    size=INT,
    mtime_ns=INT,
    sha256=STR,
    kept_at=INT,
    keep_forever=BOOL,
)
_ITEMS = obj(("items",), items={"type": "array", "items": _ITEM})
_RESTORED = obj(("path", "kind"), path=STR, kind=STR)


def _recovery(connection: HTTPConnection) -> FileRecovery:
    found: FileRecovery = connection.app.state.recovery
    return found


def item_json(item: HistoryItem) -> dict[str, Any]:
    entry = item.entry
    return {
        "id": item.id,
        "path": entry.path,
        "kind": entry.kind,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "sha256": entry.sha256,
        "kept_at": item.kept_at,
        "keep_forever": item.keep_forever,
    }


async def trash(call: Call) -> dict[str, Any]:
    items = await _recovery(call.request).trashed(call.user.id)
    return {"items": [item_json(i) for i in items]}


async def restore_trashed(call: Call) -> dict[str, Any]:
    restored = await _recovery(call.request).restore_trashed(
        call.user.id, call.json["id"], call.json.get("to") or None
    )
    return {"path": restored.path, "kind": restored.kind}


async def delete_forever(call: Call) -> None:
    raw = call.request.query_params.get("id", "")
    if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_ID:
        raise ApiError(400, "bad_query", "Give the trash item's 'id' in the query.")
    await _recovery(call.request).delete_forever(call.user.id, int(raw))


async def versions(call: Call) -> dict[str, Any]:
    path = call.request.query_params.get("path", "")
    items = await _recovery(call.request).versions(call.user.id, path)
    return {"items": [item_json(i) for i in items]}


async def restore_version(call: Call) -> dict[str, Any]:
    restored = await _recovery(call.request).restore_version(call.user.id, call.json["id"])
    return {"path": restored.path, "kind": restored.kind}


async def keep_forever(call: Call) -> None:
    _recovery(call.request).keep_forever(call.user.id, call.json["id"], call.json["keep"])


RECOVERY_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", BASE + "/trash", trash, "What you deleted from your server storage", answer=_ITEMS
    ),
    Operation(
        "POST",
        BASE + "/trash/restore",
        restore_trashed,
        "Put a deleted file or folder back (or at 'to'); a file in the way becomes a version",
        body=obj(("id",), id=_ID, to={"type": "string", "maxLength": 4096}),
        answer=_RESTORED,
    ),
    Operation(
        "DELETE",
        BASE + "/trash",
        delete_forever,
        "Empty one item out of the trash (cannot be undone)",
        status=204,
        query=(("id", _ID),),
    ),
    Operation(
        "GET",
        BASE + "/versions",
        versions,
        "Old versions of a file in your server storage, newest first",
        answer=_ITEMS,
        query=(("path", {"type": "string", "maxLength": 4096}),),
    ),
    Operation(
        "POST",
        BASE + "/versions/restore",
        restore_version,
        "Make an old version current again; the current one becomes a version",
        body=obj(("id",), id=_ID),
        answer=_RESTORED,
    ),
    Operation(
        "PUT",
        BASE + "/keep",
        keep_forever,
        "Mark a version or trashed item to be kept forever (or not)",
        body=obj(("id", "keep"), id=_ID, keep=BOOL),
        status=204,
    ),
)
