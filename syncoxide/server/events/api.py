"""API operations for the event log: catching up after an id (the live socket is ``live``)."""

from __future__ import annotations

from typing import Any

from syncoxide.server.api.spec import INT, STR, Call, Operation, obj
from syncoxide.server.events.service import event_json
from syncoxide.server.services import services_of


async def list_events(call: Call) -> dict[str, Any]:
    after = call.int_query("after", 0, 0, 2**62)
    count = call.int_query("limit", 100, 1, 500)
    store = services_of(call.request).store
    events = await store.events_after(call.user.id, after, count)
    return {
        "events": [event_json(e) for e in events],
        "last_id": events[-1].id if events else after,
    }


_EVENT = obj(
    ("id", "kind", "payload", "created_at"),
    id=INT,
    kind=STR,
    payload={"type": "object"},
    created_at=INT,
)


EVENT_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/events",
        list_events,
        "Events after a given id (catch-up)",
        answer=obj(("events", "last_id"), events={"type": "array", "items": _EVENT}, last_id=INT),
        query=(
            ("after", {"type": "integer", "minimum": 0}),
            ("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
        ),
    ),
)
