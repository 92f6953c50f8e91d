"""API operations of the global view, under ``/api/v1/catalog``: the index (list, search,
Recent, Starred, refresh, stats, duplicates) and the trash and versions of server storage.

Places are written ``PROVIDER:path`` (``home:`` for the server's own storage), in the query
or the JSON body. Routed, authorized and described in OpenAPI like every other table.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.catalog.duplicates import is_duplicate_guess
from syncoxide.catalog.model import CatalogEntry, parse_location
from syncoxide.server.accountshares.service import AccountShareService
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import BOOL, INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.catalog.shared_places import marked, shared_places
from syncoxide.server.files.history import HistoryItem
from syncoxide.server.files.recovery import FileRecovery

BASE = "/catalog"
MAX_ID = 2**62
_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_PAGE = 1000
_PLACE = {"type": "string", "maxLength": 4200}
_ENTRY = obj(
    ("location", "source", "path", "kind", "size", "mtime_ns", "content_hash", "mime"),
    location=STR,
    source=STR,
    path=STR,
    kind={"type": "string", "enum": ["file", "dir"]},
    size=INT,
    mtime_ns=INT,
    content_hash=STR,
    mime=STR,
    owner=STR,
    shared=BOOL,
    id=INT,
    link=STR,
)
_ENTRIES = obj(("entries",), entries={"type": "array", "items": _ENTRY})
# A Recent row is an entry plus what was done to it and when (seconds since the epoch).
_RECENT_ENTRY = {
    **_ENTRY,
    "required": [*_ENTRY["required"], "action", "at"],
    "properties": {**_ENTRY["properties"], "action": STR, "at": INT},
}
_RECENT = obj(("entries",), entries={"type": "array", "items": _RECENT_ENTRY})
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
_LIMIT = ("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE})


def _catalog(connection: HTTPConnection) -> CatalogService:
    found: CatalogService = connection.app.state.catalog
    return found


def _recovery(connection: HTTPConnection) -> FileRecovery:
    found: FileRecovery = connection.app.state.recovery
    return found


def entry_json(entry: CatalogEntry) -> dict[str, Any]:
    return {
        "location": entry.location,
        "source": entry.source,
        "path": entry.path,
        "kind": entry.kind,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "content_hash": entry.content_hash,
        "mime": entry.mime,
        "owner": entry.owner,
        "shared": entry.shared,
        "id": entry.id,
        "link": file_link(entry.id),
    }


def file_link(entry_id: int) -> str:
    """The stable link to an indexed file or folder; it opens in the app for its owner only."""
    return f"/f/{entry_id}" if entry_id else ""


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


def _limit(call: Call, default: int = 100) -> int:
    raw = call.request.query_params.get("limit", str(default))
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError(400, "bad_query", f"'limit' must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def _entries(entries: Any) -> dict[str, Any]:
    return {"entries": [entry_json(e) for e in entries]}


def _shares(connection: HTTPConnection) -> AccountShareService:
    found: AccountShareService = connection.app.state.account_shares
    return found


async def _marked(call: Call, entries: list[CatalogEntry]) -> dict[str, Any]:
    """Entries with those other accounts share with the caller marked with the owner's name."""
    return _entries(marked(entries, await shared_places(_shares(call.request), call.user)))


async def list_place(call: Call) -> dict[str, Any]:
    place = parse_location(call.request.query_params.get("location", "home:"))
    after = call.request.query_params.get("after", "")
    found = await _catalog(call.request).children(
        call.user.id, place.source, place.path, after=after, limit=_limit(call, MAX_PAGE)
    )
    return await _marked(call, list(found))


async def one_entry(call: Call) -> dict[str, Any]:
    entry_id = int(call.request.path_params["entry_id"])
    found = await _catalog(call.request).by_id(call.user.id, entry_id)
    return entry_json(found)


async def search(call: Call) -> dict[str, Any]:
    text = call.request.query_params.get("q", "")
    found = await _catalog(call.request).search(call.user.id, text, _limit(call))
    return await _marked(call, list(found))


async def index_coverage(call: Call) -> dict[str, Any]:
    found = await _catalog(call.request).coverage(call.user.id)
    return {
        "sources": [
            {"source": c.source, "state": c.state, "refreshed_at": c.refreshed_at} for c in found
        ]
    }


async def recent(call: Call) -> dict[str, Any]:
    found = await _catalog(call.request).recent(call.user.id, _limit(call))
    return {"entries": [{**entry_json(r.entry), "action": r.action, "at": r.at} for r in found]}


async def starred(call: Call) -> dict[str, Any]:
    return _entries(await _catalog(call.request).starred(call.user.id, _limit(call)))


async def shared_with_me(call: Call) -> dict[str, Any]:
    """Each account share the caller accepted: from whom, where its copy is, what it holds."""
    catalog, limit = _catalog(call.request), _limit(call)
    answer = []
    for place in await shared_places(_shares(call.request), call.user):
        found = await catalog.children(call.user.id, place.place.source, place.place.path,
                                       after="", limit=limit)  # fmt: skip
        share = place.received.share
        answer.append({
            "id": share.id, "name": share.name, "owner": place.owner, "access": share.access,
            "location": place.received.location, "sync_status": share.sync_status,
            "last_sync_at": share.last_sync_at,
            "entries": [entry_json(e) for e in marked(found, [place])],
        })  # fmt: skip
    return {"shares": answer}


async def set_star(call: Call) -> dict[str, Any]:
    place = parse_location(call.json["location"], root_ok=False)
    entry = await _catalog(call.request).set_star(
        call.user.id, place.source, place.path, bool(call.json["starred"])
    )
    return entry_json(entry)


async def refresh(call: Call) -> dict[str, Any]:
    reports = await _catalog(call.request).refresh(call.user.id, call.json.get("source", ""))
    return {
        "sources": [
            {
                "source": r.source,
                "error": r.error,
                "how": r.report.how if r.report else "",
                "changed": (r.report.upserts + r.report.removals) if r.report else 0,
                "entries": r.report.entries if r.report else 0,
            }
            for r in reports
        ]
    }


async def stats(call: Call) -> dict[str, Any]:
    catalog = _catalog(call.request)
    await catalog.settle()
    usage = await catalog.store.usage(call.user.id)
    largest = await catalog.store.largest(call.user.id, _limit(call, 20))
    by_age = await catalog.store.usage_by_age(call.user.id, catalog.clock())
    return {
        "usage": [
            {"source": u.source, "type": u.group, "files": u.files, "bytes": u.bytes} for u in usage
        ],
        "by_age": [{"age": a.band, "files": a.files, "bytes": a.bytes} for a in by_age],
        "largest": [entry_json(e) for e in largest],
    }


async def dupes(call: Call) -> dict[str, Any]:
    catalog = _catalog(call.request)
    await catalog.settle()
    limit = _limit(call, 50)
    groups = await catalog.store.duplicates(call.user.id, limit)
    alike = await catalog.store.same_name_and_size(call.user.id, limit)
    return {
        "groups": [[entry_json(e) for e in group] for group in groups],
        "guesses": [[entry_json(e) for e in group] for group in alike if is_duplicate_guess(group)],
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
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_ID:
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


_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_SHARED_WITH_ME = obj(
    ("shares",),
    shares={
        "type": "array",
        "items": obj(
            ("id", "name", "owner", "access", "location", "entries"),
            id=INT,
            name=STR,
            owner=STR,
            access=STR,
            location=STR,
            sync_status=STR,
            last_sync_at=NULL_INT,
            entries={"type": "array", "items": _ENTRY},
        ),
    },
)
_COVERAGE = obj(
    ("sources",),
    sources={
        "type": "array",
        "items": obj(
            ("source", "state", "refreshed_at"),
            source=STR,
            state={"type": "string", "enum": ["never", "stale", "current"]},
            refreshed_at=INT,
        ),
    },
)
_RESTORED = obj(("path", "kind"), path=STR, kind=STR)
CATALOG_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE,
        list_place,
        "What the index holds directly inside a folder (location=PROVIDER:path)",
        answer=_ENTRIES,
        query=(("location", _PLACE), ("after", STR), _LIMIT),
    ),
    Operation(
        "GET",
        BASE + "/entries/{entry_id:int}",
        one_entry,
        "One indexed file or folder by its stable id (the number in its /f/<id> link)",
        answer=_ENTRY,
    ),
    Operation(
        "GET",
        BASE + "/search",
        search,
        "Search every indexed file by name, path, type:, ext:, in:, path:, size:, after:, before:",
        answer=_ENTRIES,
        query=(("q", {"type": "string", "maxLength": 1000}), _LIMIT),
    ),
    Operation(
        "GET",
        BASE + "/sources",
        index_coverage,
        "Each place you reach and how current its part of the index is (never read, stale,"
        " current), so a search can say what it may miss",
        answer=_COVERAGE,
    ),
    Operation(
        "GET",
        BASE + "/recent",
        recent,
        "Files you created, changed, moved, restored or opened, newest first",
        answer=_RECENT,
        query=(_LIMIT,),
    ),
    Operation(
        "GET", BASE + "/starred", starred, "Your starred files", answer=_ENTRIES, query=(_LIMIT,)
    ),
    Operation(
        "GET",
        BASE + "/shared-with-me",
        shared_with_me,
        "Folders other accounts share with you (accepted): the owner, where your copy is, and"
        " what its top holds",
        answer=_SHARED_WITH_ME,
        query=(_LIMIT,),
    ),
    Operation(
        "PUT",
        BASE + "/star",
        set_star,
        "Star or unstar a file or folder",
        body=obj(("location", "starred"), location=_PLACE, starred=BOOL),
        answer=_ENTRY,
    ),
    Operation(
        "POST",
        BASE + "/refresh",
        refresh,
        "Bring the index up to date with each provider (or the one named)",
        body=obj((), source={"type": "string", "maxLength": 100}),
    ),
    Operation(
        "GET",
        BASE + "/stats",
        stats,
        "Space by provider, type and age; largest files",
        query=(_LIMIT,),
    ),
    Operation(
        "GET",
        BASE + "/dupes",
        dupes,
        "Files with the same content across providers (groups), and files of one name and size"
        " whose hashes cannot tell (guesses)",
        query=(_LIMIT,),
    ),
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
