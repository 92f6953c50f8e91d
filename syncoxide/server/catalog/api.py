"""API operations of the global view, under ``/api/v1/catalog``: the index itself (list a
folder, one entry by id, search, how current each place is, refresh) here, and the rest
gathered from their modules: staleness settings (staleness_api), Recent, Starred and Shared
with me (marked_api), space and duplicates (space_api), the trash and versions of server
storage (recovery_api).

Places are written ``PROVIDER:path`` (``home:`` for the server's own storage), in the query
or the JSON body. Routed, authorized and described in OpenAPI like every other table.
"""

from __future__ import annotations

from typing import Any

from syncoxide.catalog.model import parse_location
from syncoxide.server.api.spec import INT, STR, Call, Operation, obj
from syncoxide.server.catalog.entries_json import (
    BASE,
    ENTRIES,
    ENTRY,
    LIMIT,
    MAX_PAGE,
    PLACE,
    catalog_of,
    entries_json,
    entry_json,
    page_limit,
)
from syncoxide.server.catalog.marked_api import MARKED_OPERATIONS, marked_for
from syncoxide.server.catalog.recovery_api import RECOVERY_OPERATIONS
from syncoxide.server.catalog.space_api import SPACE_OPERATIONS
from syncoxide.server.catalog.staleness_api import HOUR, STALENESS_OPERATIONS

_COVERAGE = obj(
    ("sources",),
    sources={
        "type": "array",
        "items": obj(
            ("source", "state", "refreshed_at", "stale_after_hours", "refreshing"),
            source=STR,
            state={"type": "string", "enum": ["never", "stale", "current"]},
            refreshed_at=INT,
            stale_after_hours={"type": "number"},
            refreshing={"type": "boolean"},
        ),
    },
)


async def list_place(call: Call) -> dict[str, Any]:
    place = parse_location(call.request.query_params.get("location", "home:"))
    after = call.request.query_params.get("after", "")
    found = await catalog_of(call.request).children(
        call.user.id, place.source, place.path, after=after, limit=page_limit(call, MAX_PAGE)
    )
    return entries_json(await marked_for(call, found))


async def one_entry(call: Call) -> dict[str, Any]:
    entry_id = int(call.request.path_params["entry_id"])
    found = await catalog_of(call.request).by_id(call.user.id, entry_id)
    return entry_json(found)


async def search(call: Call) -> dict[str, Any]:
    text = call.request.query_params.get("q", "")
    found = await catalog_of(call.request).search(call.user.id, text, page_limit(call))
    return entries_json(await marked_for(call, found))


async def index_coverage(call: Call) -> dict[str, Any]:
    found = await catalog_of(call.request).coverage(call.user.id)
    return {
        "sources": [
            {
                "source": c.source,
                "state": c.state,
                "refreshed_at": c.refreshed_at,
                "stale_after_hours": c.stale_after / HOUR,
                "refreshing": c.refreshing,
            }
            for c in found
        ]
    }


async def refresh(call: Call) -> dict[str, Any]:
    reports = await catalog_of(call.request).refresh(call.user.id, call.json.get("source", ""))
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


INDEX_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE,
        list_place,
        "What the index holds directly inside a folder (location=PROVIDER:path)",
        answer=ENTRIES,
        query=(("location", PLACE), ("after", STR), LIMIT),
    ),
    Operation(
        "GET",
        BASE + "/entries/{entry_id:int}",
        one_entry,
        "One indexed file or folder by its stable id (the number in its /f/<id> link)",
        answer=ENTRY,
    ),
    Operation(
        "GET",
        BASE + "/search",
        search,
        "Search every indexed file by name, path, type:, ext:, in:, path:, size:, after:, before:",
        answer=ENTRIES,
        query=(("q", {"type": "string", "maxLength": 1000}), LIMIT),
    ),
    Operation(
        "GET",
        BASE + "/sources",
        index_coverage,
        "Each place you reach and how current its part of the index is (never read, stale,"
        " current; and whether a refresh of it is under way), so a search can say what it may"
        " miss",
        answer=_COVERAGE,
    ),
    Operation(
        "POST",
        BASE + "/refresh",
        refresh,
        "Bring the index up to date with each provider (or the one named)",
        body=obj((), source={"type": "string", "maxLength": 100}),
    ),
)
CATALOG_OPERATIONS: tuple[Operation, ...] = (
    INDEX_OPERATIONS
    + STALENESS_OPERATIONS
    + MARKED_OPERATIONS
    + SPACE_OPERATIONS
    + RECOVERY_OPERATIONS
)
