"""Catalog API operations on the lists a user keeps: Recent, Starred (and starring), and
Shared with me. Every row says whether it is shared, as folder listings do
(server/catalog/shared_places.py marks what another account shares with the caller)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from syncoxide.catalog.model import CatalogEntry, parse_location
from syncoxide.server.api.spec import BOOL, INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.catalog.entries_json import (
    BASE,
    ENTRIES,
    ENTRY,
    LIMIT,
    PLACE,
    catalog_of,
    entries_json,
    entry_json,
    page_limit,
    shares_of,
)
from syncoxide.server.catalog.shared_places import marked, shared_places

# A Recent row is an entry plus what was done to it and when (seconds since the epoch).
_RECENT_ENTRY = {
    **ENTRY,
    "required": [*ENTRY["required"], "action", "at"],
    "properties": {**ENTRY["properties"], "action": STR, "at": INT},
}
_RECENT = obj(("entries",), entries={"type": "array", "items": _RECENT_ENTRY})
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
            entries={"type": "array", "items": ENTRY},
        ),
    },
)


async def marked_for(call: Call, entries: Sequence[CatalogEntry]) -> list[CatalogEntry]:
    """``entries`` with those other accounts share with the caller marked with the owner's
    name and as shared."""
    return marked(entries, await shared_places(shares_of(call.request), call.user))


async def recent(call: Call) -> dict[str, Any]:
    found = await catalog_of(call.request).recent(call.user.id, page_limit(call))
    entries = await marked_for(call, [r.entry for r in found])
    rows = zip(entries, found, strict=True)
    return {"entries": [{**entry_json(e), "action": r.action, "at": r.at} for e, r in rows]}


async def starred(call: Call) -> dict[str, Any]:
    found = await catalog_of(call.request).starred(call.user.id, page_limit(call))
    return entries_json(await marked_for(call, found))


async def set_star(call: Call) -> dict[str, Any]:
    place = parse_location(call.json["location"], root_ok=False)
    entry = await catalog_of(call.request).set_star(
        call.user.id, place.source, place.path, bool(call.json["starred"])
    )
    return entry_json((await marked_for(call, [entry]))[0])


async def shared_with_me(call: Call) -> dict[str, Any]:
    """Each account share the caller accepted: from whom, where its copy is, what it holds."""
    catalog, limit = catalog_of(call.request), page_limit(call)
    answer = []
    for place in await shared_places(shares_of(call.request), call.user):
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


MARKED_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE + "/recent",
        recent,
        "Files you created, changed, moved, restored or opened, newest first; each says"
        " whether it is shared and by whom",
        answer=_RECENT,
        query=(LIMIT,),
    ),
    Operation(
        "GET",
        BASE + "/starred",
        starred,
        "Your starred files; each says whether it is shared and by whom",
        answer=ENTRIES,
        query=(LIMIT,),
    ),
    Operation(
        "GET",
        BASE + "/shared-with-me",
        shared_with_me,
        "Folders other accounts share with you (accepted): the owner, where your copy is, and"
        " what its top holds",
        answer=_SHARED_WITH_ME,
        query=(LIMIT,),
    ),
    Operation(
        "PUT",
        BASE + "/star",
        set_star,
        "Star or unstar a file or folder",
        body=obj(("location", "starred"), location=PLACE, starred=BOOL),
        answer=ENTRY,
    ),
)
