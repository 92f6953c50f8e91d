"""Cancels carried to the instance that runs the work, so it stops at once.

A cancel asked through the API is first a flag in the shared database (a restore's or an
automation job's ``cancel_requested``), which the instance running the work reads at its next
progress write or lease renewal. The instance that took the cancel stops the work at once if
it runs it; otherwise, with a bus, it says so on the ``work.cancels`` broadcast, and the
instance that runs it stops it on hearing. A lost message costs only the wait for that next
read, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from syncoxide.server.bus.broadcast import Broadcast
from syncoxide.server.bus.port import Message

CHANNEL = "work.cancels"
RESTORE, JOB = "restore", "job"
#: Stops the work of that id if it runs in this process; whether it did.
StopHere = Callable[[int], bool]
log = logging.getLogger("syncoxide.server.bus")


class CancelRelay:
    def __init__(self, broadcast: Broadcast, stoppers: Mapping[str, StopHere]) -> None:
        self.broadcast = broadcast
        self._stoppers = dict(stoppers)
        broadcast.on_message(self._heard)

    def sender(self, kind: str) -> Callable[[int], None]:
        """What a service calls for a cancel of work that does not run here."""
        if kind not in self._stoppers:
            raise ValueError(f"no work of kind {kind!r} is cancelled through the bus")
        return lambda work_id: self.broadcast.send({"kind": kind, "id": work_id})

    def _heard(self, message: Message) -> None:
        kind, work_id = message.get("kind"), message.get("id")
        stop = self._stoppers.get(kind) if isinstance(kind, str) else None
        if stop is None or not isinstance(work_id, int):
            log.warning("%s: not a cancel: %r", CHANNEL, message)
            return
        stop(work_id)

    async def start(self) -> None:
        await self.broadcast.start()

    async def stop(self) -> None:
        await self.broadcast.stop()
