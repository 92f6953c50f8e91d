"""What the instances of a deployment tell each other on its bus besides live events and
signaling: changes to users' files (files/change_relay.py) and cancels of running work
(scheduling/cancel_relay.py). The embedded default has no bus and no relays; its storage
change feed numbers changes in memory, where a deployment's numbers them in its database."""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.server.automation.service import AutomationService
from syncoxide.server.backups.restores import BackupRestores
from syncoxide.server.bus.broadcast import Broadcast
from syncoxide.server.files import change_relay
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.change_positions import (
    ChangePositions,
    ProcessPositions,
    SharedPositions,
)
from syncoxide.server.files.change_relay import FileChangeRelay
from syncoxide.server.files.changes import ChangeFanout
from syncoxide.server.files.service import FileService
from syncoxide.server.scheduling import cancel_relay
from syncoxide.server.scheduling.cancel_relay import JOB, RESTORE, CancelRelay
from syncoxide.server.services import Services


@dataclass
class InstanceRelays:
    changes: FileChangeRelay
    cancels: CancelRelay
    feed: StorageChangeFeed

    async def start(self) -> None:
        await self.changes.start()
        # Subscribed: from here every change another instance takes is heard, so the feed
        # starts from the position now taken, not the one read when the app was built.
        self.feed.start()
        await self.cancels.start()

    async def stop(self) -> None:
        await self.cancels.stop()
        await self.changes.stop()


def storage_change_feed(services: Services, files: FileService) -> StorageChangeFeed:
    """The feed of changes to users' files, hearing every instance's; the file service's
    changes take their positions where its tokens are read: in the deployment's database when
    several instances share it (on the file store's own handle, so that on SQLite a change
    and its position commit in one transaction), else in this process."""
    changes = files.changes
    positions: ChangePositions = (
        ProcessPositions() if services.shared_bus is None else SharedPositions(files.store.database)
    )
    changes.positions = positions
    feed = StorageChangeFeed(positions)
    feed.start()
    changes.listen(feed.notice, everywhere=True)
    return feed


def instance_relays(
    services: Services,
    *,
    changes: ChangeFanout,
    feed: StorageChangeFeed,
    restores: BackupRestores,
    automation: AutomationService,
) -> InstanceRelays | None:
    if services.shared_bus is None:
        return None
    bus, instance = services.shared_bus.bus, services.instance_id
    files = FileChangeRelay(Broadcast(bus, change_relay.CHANNEL, instance), changes)
    files.broadcast.on_lost(feed.lost_track)
    worker = automation.worker
    cancels = CancelRelay(
        Broadcast(bus, cancel_relay.CHANNEL, instance),
        {
            RESTORE: restores.stop_here,
            JOB: worker.stop_here if worker is not None else lambda _job_id: False,
        },
    )
    restores.stop_elsewhere = cancels.sender(RESTORE)
    automation.stop_elsewhere = cancels.sender(JOB)
    return InstanceRelays(files, cancels, feed)
