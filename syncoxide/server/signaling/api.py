"""API operation: the STUN/TURN servers a signed-in client may use, with fresh TURN credentials.

A client that signals through a room gets the same list in the room's ``welcome``; this call is
for clients that want it before (or without) a room.
"""

from __future__ import annotations

from typing import Any

from syncoxide.server.api.spec import STR, Call, Operation, obj
from syncoxide.server.services import services_of
from syncoxide.server.signaling.ice import IceSettings


async def ice_servers(call: Call) -> dict[str, Any]:
    ice: IceSettings = call.request.app.state.ice
    now = services_of(call.request).clock()
    return {"ice_servers": ice.as_json(f"user-{call.user.id}", now)}


_SERVER = {
    "type": "object",
    "properties": {
        "urls": {"type": "array", "items": STR},
        "username": STR,
        "credential": STR,
    },
    "required": ["urls"],
    "additionalProperties": False,
}

ICE_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/webrtc/ice",
        ice_servers,
        "STUN and TURN servers for peer-to-peer transfers (TURN credentials expire; ask again)",
        answer=obj(("ice_servers",), ice_servers={"type": "array", "items": _SERVER}),
    ),
)
