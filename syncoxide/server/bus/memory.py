"""The bus and rooms of one process: delivery is a direct call, membership a dict.

It serves tests of code written against the ports, and any single process that wants the
bus's shape; ``syncoxide serve`` without a configured bus keeps its in-process hub instead.
"""

from __future__ import annotations

from collections import defaultdict

from syncoxide.server.bus.port import Handler, Member, Message


class MemorySubscription:
    def __init__(self, bus: MemoryBus, channel: str, handler: Handler) -> None:
        self._bus, self._channel, self._handler = bus, channel, handler

    async def cancel(self) -> None:
        self._bus.drop(self._channel, self._handler)


class MemoryBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    async def publish(self, channel: str, message: Message) -> None:
        for handler in list(self._handlers.get(channel, ())):
            handler(message)

    async def subscribe(self, channel: str, handler: Handler) -> MemorySubscription:
        self._handlers[channel].append(handler)
        return MemorySubscription(self, channel, handler)

    def drop(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel, [])
        if handler in handlers:
            handlers.remove(handler)
        if not handlers:
            self._handlers.pop(channel, None)

    async def aclose(self) -> None:
        self._handlers.clear()


class MemoryRooms:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, Member]] = {}

    async def enter(self, room: str, member: Member, capacity: int) -> list[Member] | None:
        members = self._rooms.setdefault(room, {})
        if len(members) >= capacity:
            return None
        present = list(members.values())
        members[member.peer_id] = member
        return present

    async def leave(self, room: str, peer_id: str) -> bool:
        members = self._rooms.get(room, {})
        found = members.pop(peer_id, None) is not None
        if not members:
            self._rooms.pop(room, None)
        return found

    async def members(self, room: str) -> list[Member]:
        return list(self._rooms.get(room, {}).values())
