"""The Bus and Rooms ports every implementation fills.

A ``Bus`` carries JSON messages on named channels to every subscriber, on every instance,
in the order one instance published them. Handlers are plain functions that must not block
(they queue), like the signaling hub's ``PeerLink.deliver``. ``subscribe`` returns only once
the subscription is live, so a message published after it returns is never missed.

``Rooms`` is the shared membership of signaling rooms: who is in a room, and a capacity that
holds across instances (entering is one atomic step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Message = dict[str, Any]
Handler = Callable[[Message], None]


class Subscription(Protocol):
    async def cancel(self) -> None:
        """Stop delivering to this handler; safe to call twice."""
        ...


class Bus(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

    async def subscribe(self, channel: str, handler: Handler) -> Subscription: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Member:
    peer_id: str
    role: str


class Rooms(Protocol):
    async def enter(self, room: str, member: Member, capacity: int) -> list[Member] | None:
        """Add ``member`` unless ``capacity`` members are in already (then None); return who
        was there before it."""
        ...

    async def leave(self, room: str, peer_id: str) -> bool:
        """Remove the peer; False when it was not in the room."""
        ...

    async def members(self, room: str) -> list[Member]: ...
