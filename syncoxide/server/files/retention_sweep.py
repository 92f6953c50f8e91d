"""The task that keeps retention honoured with nobody looking: every ``every_seconds`` it
applies each user's retention (``FileRecovery.apply_retention``), so trash and versions past
their time are purged and their blobs freed even for users who never open Trash again.

Retention also runs whenever a user reads or grows their history; the sweep is what makes
"kept 30 days" true on disk. One user's failure is logged and the sweep goes on to the next.
"""

from __future__ import annotations

import logging

from syncoxide.errors import SyncoxideError
from syncoxide.server.files.recovery import FileRecovery
from syncoxide.server.scheduling.periodic import PeriodicSweep

log = logging.getLogger("syncoxide.server.files")


class RetentionSweep(PeriodicSweep):
    name = "retention sweep"
    did = "purged %d old versions and trashed items"

    def __init__(self, recovery: FileRecovery, every_seconds: float) -> None:
        super().__init__(every_seconds)
        self.recovery = recovery

    async def sweep(self) -> int:
        """One pass over every user with history; the number of rows purged."""
        purged = 0
        for user_id in self.recovery.history.users_with_history():
            try:
                purged += await self.recovery.apply_retention(user_id)
            except (SyncoxideError, OSError) as error:
                log.warning("retention sweep: user %d: %s", user_id, error)
        return purged
