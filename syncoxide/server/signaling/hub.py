"""The Hub port, and the in-process hub that serves one server process.

The WebSocket endpoint only talks to a ``Hub``: join a room, leave it, relay a message to the
other peers. ``InProcessHub`` keeps rooms in a dict, which is all one process needs; a shared
broker (Redis pub/sub, Postgres LISTEN/NOTIFY) can implement the same four calls later so peers
connected to different server processes still meet.

Delivery goes to a ``PeerLink`` that must never block (it queues), so one slow peer cannot stall
the room, and a failing delivery only ever affects the peer it was meant for.
"""

from __future__ import annotations

from typing import Protocol

from syncoxide.errors import PermissionDeniedError
from syncoxide.server.signaling.messages import Message

ROOM_CAPACITY = 2


class PeerLink(Protocol):
    @property
    def peer_id(self) -> str: ...

    @property
    def role(self) -> str: ...

    def deliver(self, message: Message) -> None:
        """Queue ``message`` for this peer; never blocks, never raises."""
        ...


class Hub(Protocol):
    async def join(self, room: str, peer: PeerLink) -> list[Message]:
        """Add ``peer`` and tell the others; return who was already there."""
        ...

    async def leave(self, room: str, peer_id: str) -> None:
        """Remove the peer and announce ``peer-left`` to the others at once."""
        ...

    async def relay(self, room: str, sender_id: str, message: Message) -> None:
        """Send ``message`` (stamped with ``from``) to every other peer in the room."""
        ...

    async def roles(self, room: str) -> list[str]:
        """The roles of the peers in the room now (for a look that must not join it)."""
        ...


class InProcessHub:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, PeerLink]] = {}

    def room_sizes(self) -> dict[str, int]:
        return {room: len(peers) for room, peers in self._rooms.items()}

    async def join(self, room: str, peer: PeerLink) -> list[Message]:
        peers = self._rooms.setdefault(room, {})
        if len(peers) >= ROOM_CAPACITY:
            raise PermissionDeniedError(
                "This transfer already has a sender and a receiver connected.",
                hint="Close the other window that has this link open, then try again.",
            )
        present = [{"peer": other.peer_id, "role": other.role} for other in peers.values()]
        joined = {"type": "peer-joined", "peer": peer.peer_id, "role": peer.role}
        for other in peers.values():
            other.deliver(joined)
        peers[peer.peer_id] = peer
        return present

    async def leave(self, room: str, peer_id: str) -> None:
        peers = self._rooms.get(room, {})
        if peers.pop(peer_id, None) is None:
            return
        if not peers:
            del self._rooms[room]
        for other in peers.values():
            other.deliver({"type": "peer-left", "peer": peer_id})

    async def roles(self, room: str) -> list[str]:
        return [peer.role for peer in self._rooms.get(room, {}).values()]

    async def relay(self, room: str, sender_id: str, message: Message) -> None:
        stamped = {**message, "from": sender_id}
        for other_id, other in self._rooms.get(room, {}).items():
            if other_id != sender_id:
                other.deliver(stamped)
