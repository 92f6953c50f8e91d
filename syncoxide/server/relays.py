"""What the instances of a deployment tell each other on its bus besides live events and
signaling: changes to users' files (files/change_relay.py). The embedded default has no bus
and no relays."""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.server.bus.broadcast import Broadcast
from syncoxide.server.files import change_relay
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.change_relay import FileChangeRelay
from syncoxide.server.files.changes import ChangeFanout
from syncoxide.server.services import Services


@dataclass
class InstanceRelays:
    changes: FileChangeRelay

    async def start(self) -> None:
        await self.changes.start()

    async def stop(self) -> None:
        await self.changes.stop()


def instance_relays(
    services: Services,
    *,
    changes: ChangeFanout,
    feed: StorageChangeFeed,
) -> InstanceRelays | None:
    if services.shared_bus is None:
        return None
    bus, instance = services.shared_bus.bus, services.instance_id
    files = FileChangeRelay(Broadcast(bus, change_relay.CHANNEL, instance), changes)
    files.broadcast.on_lost(feed.lost_track)
    return InstanceRelays(files)
