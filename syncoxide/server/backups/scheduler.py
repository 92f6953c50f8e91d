"""The task that starts due backup rules, for the life of the server (the app's lifespan).

The loop is the one every scheduled rule shares (``scheduling.scheduler``); restores into
providers run as its background tasks, so stopping the server stops them cleanly.
"""

from __future__ import annotations

import logging

from syncoxide.server.backups.runner import BackupRunner
from syncoxide.server.backups.store import BackupRule
from syncoxide.server.scheduling.scheduler import TICK_SECONDS, DueRuleScheduler


class BackupScheduler(DueRuleScheduler[BackupRule]):
    log = logging.getLogger("syncoxide.server.backups")
    interrupted_words = "%d backup runs were interrupted by the last stop"

    def __init__(self, runner: BackupRunner, tick_seconds: float = TICK_SECONDS) -> None:
        super().__init__(runner, tick_seconds)
        self.runner: BackupRunner = runner
