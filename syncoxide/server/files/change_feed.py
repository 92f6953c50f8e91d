"""A change feed for each user's own files: what changed since a token, waiting if asked.

``GET /api/v1/storage/changes`` serves it, so a client keeping a folder in step with its files
here (``syncoxide sync ... --watch``) learns of a change the moment it commits instead of listing
everything on a timer. The feed listens to the file service (files/changes.py) and keeps, per
user, a sequence number and the paths of the last ``KEPT_PATHS`` changes.

A token is ``<instance>:<sequence>``. The instance is random per server start: a token from
before a restart, or one older than the kept paths, answers "changed, paths unknown" (the
root, ``""``), which makes the client look at everything once. Kept in memory: with several
server instances, each hears the writes made through the others on the bus
(files/change_relay.py), so a long poll wakes whichever instance took the upload; a token
is still its own instance's, and one taken to another instance answers the root. When the
bus lost a change on its way here, ``lost_track`` makes every earlier token answer the root.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass, field

from syncoxide.server.files.changes import OPENED, FileChange

KEPT_PATHS = 1000
LONGEST_WAIT = 30.0


@dataclass
class _UserChanges:
    sequence: int = 0
    paths: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=KEPT_PATHS))
    changed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class ChangesSince:
    token: str
    #: Changed paths after the token given; [""] when they are not known (look at everything).
    paths: list[str]


class StorageChangeFeed:
    def __init__(self, instance: str) -> None:
        self.instance = instance
        self._users: dict[int, _UserChanges] = {}
        self._losses = 0

    def lost_track(self) -> None:
        """A change may have been missed: every token given so far answers "look at
        everything", and every waiting long poll says so now."""
        self._losses += 1
        self.instance = f"{self.instance.split('~')[0]}~{self._losses}"
        for user in self._users.values():
            user.changed.set()
        self._users.clear()

    def notice(self, change: FileChange) -> None:
        """The file service's listener."""
        if change.what == OPENED:
            return
        user = self._users.setdefault(change.user_id, _UserChanges())
        for path in (change.path, change.before):
            if path:
                user.sequence += 1
                user.paths.append((user.sequence, path))
        user.changed.set()
        user.changed = asyncio.Event()  # the next wait starts afresh

    def token(self, user_id: int) -> str:
        return f"{self.instance}:{self._users.get(user_id, _UserChanges()).sequence}"

    async def since(self, user_id: int, token: str, wait: float = 0.0) -> ChangesSince:
        """Changes after ``token``; with ``wait``, up to that many seconds for the first one."""
        answer = self._since(user_id, token)
        if answer.paths or wait <= 0:
            return answer
        user = self._users.setdefault(user_id, _UserChanges())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(user.changed.wait(), min(wait, LONGEST_WAIT))
        return self._since(user_id, token)

    def _since(self, user_id: int, token: str) -> ChangesSince:
        instance, _, number = token.partition(":")
        user = self._users.get(user_id, _UserChanges())
        now = f"{self.instance}:{user.sequence}"
        if instance != self.instance or not number.isdigit() or int(number) > user.sequence:
            return ChangesSince(now, [""])
        after = int(number)
        if after == user.sequence:
            return ChangesSince(now, [])
        if not user.paths or user.paths[0][0] > after + 1:
            return ChangesSince(now, [""])  # older than what is kept
        return ChangesSince(now, sorted({path for seq, path in user.paths if seq > after}))
