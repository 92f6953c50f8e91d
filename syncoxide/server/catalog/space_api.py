"""Catalog API operations on where the space goes: usage by provider, type and age, the
largest files, and duplicates (by content, and guesses by name and size)."""

from __future__ import annotations

from typing import Any

from syncoxide.catalog.duplicates import is_duplicate_guess
from syncoxide.server.api.spec import Call, Operation
from syncoxide.server.catalog.entries_json import BASE, LIMIT, catalog_of, entry_json, page_limit


async def stats(call: Call) -> dict[str, Any]:
    catalog = catalog_of(call.request)
    await catalog.settle()
    usage = await catalog.store.usage(call.user.id)
    largest = await catalog.store.largest(call.user.id, page_limit(call, 20))
    by_age = await catalog.store.usage_by_age(call.user.id, catalog.clock())
    return {
        "usage": [
            {"source": u.source, "type": u.group, "files": u.files, "bytes": u.bytes} for u in usage
        ],
        "by_age": [{"age": a.band, "files": a.files, "bytes": a.bytes} for a in by_age],
        "largest": [entry_json(e) for e in largest],
    }


async def dupes(call: Call) -> dict[str, Any]:
    catalog = catalog_of(call.request)
    await catalog.settle()
    limit = page_limit(call, 50)
    groups = await catalog.store.duplicates(call.user.id, limit)
    alike = await catalog.store.same_name_and_size(call.user.id, limit)
    return {
        "groups": [[entry_json(e) for e in group] for group in groups],
        "guesses": [[entry_json(e) for e in group] for group in alike if is_duplicate_guess(group)],
    }


SPACE_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE + "/stats",
        stats,
        "Space by provider, type and age; largest files",
        query=(LIMIT,),
    ),
    Operation(
        "GET",
        BASE + "/dupes",
        dupes,
        "Files with the same content across providers (groups), and files of one name and size"
        " whose hashes cannot tell (guesses)",
        query=(LIMIT,),
    ),
)
