"""Catalog API operations on staleness: after how long since its last refresh a connection's
part of the index counts as stale (a search then says what it may miss and offers a refresh).

The server sets a default (``[catalog] stale_after_hours``, one day unless set); each user may
set their own for every connection (``source`` '') and for any one connection, which wins.
Hours go over the wire (fractions allowed), seconds are kept."""

from __future__ import annotations

from typing import Any

from syncoxide.server.api.spec import STR, Call, Operation, obj
from syncoxide.server.catalog.coverage import Staleness
from syncoxide.server.catalog.entries_json import BASE, catalog_of

HOUR = 3600
_HOURS = {"type": "number"}
_NULL_HOURS = {"type": ["number", "null"]}
_STALENESS = obj(
    ("server_hours", "every_connection_hours", "connections"),
    server_hours=_HOURS,
    every_connection_hours=_NULL_HOURS,
    connections={
        "type": "array",
        "items": obj(
            ("source", "hours", "effective_hours"),
            source=STR,
            hours=_NULL_HOURS,
            effective_hours=_HOURS,
        ),
    },
)


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / HOUR


def _staleness_json(staleness: Staleness, connections: list[str]) -> dict[str, Any]:
    return {
        "server_hours": _hours(staleness.server_default),
        "every_connection_hours": _hours(staleness.own_default),
        "connections": [
            {
                "source": name,
                "hours": _hours(staleness.by_source.get(name)),
                "effective_hours": _hours(staleness.of(name)),
            }
            for name in connections
        ],
    }


async def staleness(call: Call) -> dict[str, Any]:
    catalog = catalog_of(call.request)
    found = await catalog.staleness(call.user.id)
    return _staleness_json(found, (await catalog.reachable_sources(call.user.id))[1:])


async def set_staleness(call: Call) -> dict[str, Any]:
    catalog = catalog_of(call.request)
    hours = call.json["hours"]
    seconds = None if hours is None else round(float(hours) * HOUR)
    found = await catalog.set_staleness(call.user.id, call.json["source"], seconds)
    return _staleness_json(found, (await catalog.reachable_sources(call.user.id))[1:])


STALENESS_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE + "/staleness",
        staleness,
        "After how many hours since its last refresh each connection's part of the index counts"
        " as stale: the server's default, yours for every connection, yours for each",
        answer=_STALENESS,
    ),
    Operation(
        "PUT",
        BASE + "/staleness",
        set_staleness,
        "Set your own staleness in hours (a minute to a year) for one connection, or for every"
        " connection with source ''; hours null removes it so the default applies again",
        body=obj(
            ("source", "hours"),
            source={"type": "string", "maxLength": 100},
            hours={"type": ["number", "null"], "minimum": 1 / 60, "maximum": 366 * 24},
        ),
        answer=_STALENESS,
    ),
)
