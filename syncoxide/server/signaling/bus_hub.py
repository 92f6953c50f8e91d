"""A Hub across server instances: membership in shared ``Rooms``, messages on a ``Bus``.

Each room is one bus channel. A peer connected here subscribes to its room's channel on
joining; everything another peer sends (joined, left, relayed offers and candidates) is
published there with the sender's id, and each instance delivers it to its own peers except
the sender. The in-process hub stays the default for one process (hub.py).
"""

from __future__ import annotations

from syncoxide.errors import PermissionDeniedError
from syncoxide.server.bus.port import Bus, Member, Message, Rooms, Subscription
from syncoxide.server.signaling.hub import ROOM_CAPACITY, PeerLink


class BusHub:
    def __init__(self, bus: Bus, rooms: Rooms) -> None:
        self._bus = bus
        self._rooms = rooms
        self._listening: dict[tuple[str, str], Subscription] = {}

    async def join(self, room: str, peer: PeerLink) -> list[Message]:
        present = await self._rooms.enter(room, Member(peer.peer_id, peer.role), ROOM_CAPACITY)
        if present is None:
            raise PermissionDeniedError(
                "This transfer already has a sender and a receiver connected.",
                hint="Close the other window that has this link open, then try again.",
            )

        def deliver(published: Message) -> None:
            if published["sender"] != peer.peer_id:
                peer.deliver(published["message"])

        key = (room, peer.peer_id)
        self._listening[key] = await self._bus.subscribe(_channel(room), deliver)
        joined = {"type": "peer-joined", "peer": peer.peer_id, "role": peer.role}
        await self._publish(room, peer.peer_id, joined)
        return [{"peer": member.peer_id, "role": member.role} for member in present]

    async def leave(self, room: str, peer_id: str) -> None:
        listening = self._listening.pop((room, peer_id), None)
        if listening is not None:
            await listening.cancel()
        if await self._rooms.leave(room, peer_id):
            await self._publish(room, peer_id, {"type": "peer-left", "peer": peer_id})

    async def relay(self, room: str, sender_id: str, message: Message) -> None:
        await self._publish(room, sender_id, {**message, "from": sender_id})

    async def roles(self, room: str) -> list[str]:
        return [member.role for member in await self._rooms.members(room)]

    async def _publish(self, room: str, sender_id: str, message: Message) -> None:
        await self._bus.publish(_channel(room), {"sender": sender_id, "message": message})


def _channel(room: str) -> str:
    return "signaling." + room
