"""A change feed for each user's own files: what changed since a token, waiting if asked.

``GET /api/v1/storage/changes`` serves it, so a client keeping a folder in step with its files
here (``syncoxide sync ... --watch``) learns of a change the moment it commits instead of listing
everything on a timer. The feed hears every change with its position (files/change_positions.py)
and keeps, per user, the paths of the last ``KEPT_PATHS`` changes.

A token is ``<era>:<position>``: every change up to that position was in the answers that led
to it. With several instances the positions come from the deployment's database and each
instance hears the others' changes on the bus (files/change_relay.py), so a token is good on
any instance: a long poll that moves to another one behind the load balancer carries on.

Where the feed cannot say what changed, it answers "changed, paths unknown" (the root, ``""``),
which makes the client look at everything once:

    another era          a token from before a restart of the embedded server, or nonsense
    below the floor      older than the kept paths, or than a change this instance missed
    beyond the database  a position no change has taken

The bus delivers at most once and instances publish side by side, so positions may arrive out
of order or not at all. The feed moves its position only over an unbroken run; a later one
waits (unanswered) for up to ``GAP_PATIENCE`` seconds for the missing ones, then the gap counts
as lost and becomes the floor. A poll that finds nothing asks the database for the last
position taken, so a lost last message (none after it to show the gap) counts the same way.
``lost_track`` (the bus saw a sender skip a message, or a change came without a position)
starts afresh from the database's position, raising the floor there.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field

from syncoxide.server.files.change_positions import ChangePositions
from syncoxide.server.files.changes import OPENED, FileChange

KEPT_PATHS = 1000
LONGEST_WAIT = 30.0
#: How long a later position waits for the ones before it (bus delays are milliseconds).
GAP_PATIENCE = 2.0


@dataclass
class _UserChanges:
    paths: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=KEPT_PATHS))
    #: Tokens below it are older than the kept paths.
    floor: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def keep(self, position: int, path: str) -> None:
        if len(self.paths) == self.paths.maxlen:
            self.floor = max(self.floor, self.paths[0][0])
        self.paths.append((position, path))

    def wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()  # the next wait starts afresh


@dataclass(frozen=True)
class ChangesSince:
    token: str
    #: Changed paths after the token given; [""] when they are not known (look at everything).
    paths: list[str]


class StorageChangeFeed:
    def __init__(self, positions: ChangePositions) -> None:
        self.positions = positions
        self._users: dict[int, _UserChanges] = {}
        #: Every position up to here is accounted for; None until read from ``positions``.
        self._position: int | None = None
        self._floor = 0
        #: Changes heard ahead of a missing position, and since when one is missing.
        self._early: dict[int, list[FileChange]] = {}
        self._gap_since = 0.0
        #: A change came that no position stands for: the next start takes one.
        self._burn = False
        #: The last position the database said was taken, when it was past this feed's.
        self._taken = 0

    def start(self) -> None:
        """Read the position now, before this instance takes or hears changes: one it takes
        later is then an answer, not the start (which tokens before it may not look past).

        Called again once the bus is subscribed (relays.py): changes other instances took
        before that were never heard here, so the position read when the app was built
        would leave them as a gap, and the tokens given meanwhile below its floor. Read
        after subscribing, every position past it comes on the bus; one heard before the
        read is at or below it, accounted for by the floor."""
        self._position, self._early, self._gap_since, self._taken = None, {}, 0.0, 0
        self._start()

    def lost_track(self) -> None:
        """A change may have been missed: every token given so far answers "look at
        everything", and every waiting long poll says so now. (A missed message took its
        position before it was sent, so the database's position is past it: the new floor.)"""
        self._position, self._early, self._gap_since = None, {}, 0.0
        self._wake_all()

    def notice(self, change: FileChange) -> None:
        """The file service's listener, hearing this instance's changes and the others'."""
        if change.what == OPENED:
            return
        if change.position <= 0:
            # Committed, but its position could not be taken (the database was out): no
            # position stands for it, so the feed takes one of its own as the new floor.
            self._burn = True
            self.lost_track()
            return
        try:
            position = self._start()
        except Exception:  # the database is out: the change cannot be placed
            self._burn = True
            self.lost_track()
            return
        if change.position <= position:
            return  # accounted for already: before this instance started, or given up on
        self._early.setdefault(change.position, []).append(change)
        if change.position == position + 1:
            self._advance()
        elif not self._gap_since:  # a gap opens here (an open one has its timer running)
            self._await_gap()

    def token(self, user_id: int) -> str:
        return self._token(self._start())

    async def since(self, user_id: int, token: str, wait: float = 0.0) -> ChangesSince:
        """Changes after ``token``; with ``wait``, up to that many seconds for the first one."""
        answer = self._since(user_id, token)
        if not answer.paths:
            self._look_for_unheard_positions()
        deadline = time.monotonic() + min(wait, LONGEST_WAIT)
        while not answer.paths and (left := deadline - time.monotonic()) > 0:
            user = self._users.setdefault(user_id, _UserChanges())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(user.changed.wait(), left)
            answer = self._since(user_id, token)
        return answer

    def _since(self, user_id: int, token: str) -> ChangesSince:
        self._give_up_old_gap()
        position = self._start()
        era, _, number = token.partition(":")
        now = self._token(position)
        if era != self.positions.era or not number.isdigit():
            return ChangesSince(now, [""])
        after = int(number)
        user = self._users.get(user_id, _UserChanges())
        if after < max(self._floor, user.floor):
            return ChangesSince(now, [""])
        if after > position:  # another instance has heard further; this one catches up
            if after > self.positions.current():
                return ChangesSince(now, [""])  # no change took it: not a token of ours
            return ChangesSince(token, [])
        paths = {path for at, path in user.paths if at > after}
        return ChangesSince(now, sorted(paths))

    def _token(self, position: int) -> str:
        return f"{self.positions.era}:{position}"

    def _start(self) -> int:
        """The position, read from ``positions`` on first use and after ``lost_track``: what
        came before is not known here, so it is the floor too. (Other instances see a
        position taken here as a gap, and in time answer "look at everything" for it too.)"""
        if self._position is None:
            if self._burn:  # a change stands for no position: take a position past it
                self._position = self._floor = self.positions.take()
                self._burn = False
            else:
                self._position = self._floor = self.positions.current()
        return self._position

    def _advance(self) -> None:
        """Take in the unbroken run of early changes that follows the position."""
        assert self._position is not None
        while (changes := self._early.pop(self._position + 1, None)) is not None:
            self._position += 1
            for change in changes:
                user = self._users.setdefault(change.user_id, _UserChanges())
                for path in dict.fromkeys((change.path, change.before)):
                    if path:
                        user.keep(self._position, path)
                user.wake()
        self._gap_since = 0.0
        if self._early or self._taken > self._position:  # the next gap waits its own patience
            self._await_gap()

    def _await_gap(self) -> None:
        if not self._gap_since:
            self._gap_since = time.monotonic()
        with contextlib.suppress(RuntimeError):  # no loop (a CLI command): asked lazily
            asyncio.get_running_loop().call_later(GAP_PATIENCE, self._give_up_old_gap)

    def _look_for_unheard_positions(self) -> None:
        """Positions taken that never came, with none after them to show the gap (the last
        message lost, or its instance gone): the database knows they were taken."""
        taken = self.positions.current()
        if self._position is not None and taken > self._position:
            self._taken = max(self._taken, taken)
            if not self._gap_since:
                self._await_gap()

    def _give_up_old_gap(self) -> None:
        """A position missing for ``GAP_PATIENCE`` is lost: tokens before it answer the root."""
        position = self._position
        missing = self._early or (position is not None and self._taken > position)
        if not missing or time.monotonic() - self._gap_since < GAP_PATIENCE:
            return
        after_gap = min(self._early) - 1 if self._early else self._taken
        self._position = self._floor = after_gap
        self._gap_since = 0.0
        self._advance()
        self._wake_all()

    def _wake_all(self) -> None:
        for user in self._users.values():
            user.wake()
