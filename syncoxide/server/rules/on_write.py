"""Run-on-write: rules that read the server's own storage run as soon as a file there changes.

The file service tells every change to its listeners right after committing it (files/changes.py);
this one only notes the user and path. Once the changes settled (``SETTLE_SECONDS`` without a
new one, through the same ``Debounce`` as ``sync --watch``), each of those users' rules that
run on change (``on_change``) and read a changed path is made due and the scheduler is woken:
the source side for every mode, the destination too for bisync. A burst of uploads costs one
run, not one per file.

A rule that is running when its files change is made due once its run finished (its finish
sets the next scheduled time, which would otherwise hide the change until then). A bisync rule
whose own run wrote to the storage sees its writes as changes, and runs once more to find
nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

from syncoxide.engine.watch import Debounce, WatchSettings
from syncoxide.server.files.changes import OPENED, FileChange
from syncoxide.server.files.names import is_under
from syncoxide.server.rules.connections import HOME
from syncoxide.server.rules.store import Rule, RuleStore
from syncoxide.waiting import wait_for_event

log = logging.getLogger("syncoxide.server.rules")
SETTLE_SECONDS = 1.0


def reads_changed_path(rule: Rule, homes: set[int], paths: Iterable[str]) -> bool:
    """True if ``rule`` reads one of ``paths`` of the user's own storage (``homes``: the ids
    of the user's connections to it)."""
    sides = [(rule.source_id, rule.source_path)]
    if rule.mode == "bisync":
        sides.append((rule.dest_id, rule.dest_path))
    return any(
        connection in homes and is_under(path, folder)
        for connection, folder in sides
        for path in paths
    )


class WriteTrigger:
    def __init__(
        self,
        store: RuleStore,
        *,
        is_running: Callable[[int], bool],
        clock: Callable[[], int],
        wake: Callable[[], None],
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.store = store
        self.is_running = is_running
        self.clock = clock
        self.wake = wake
        self.settle_seconds = settle_seconds
        self._debounce = Debounce(WatchSettings(quiet_seconds=settle_seconds))
        self._changed: dict[int, set[str]] = {}
        self._waiting: set[int] = set()  # rule ids made due once their run ends
        self._nudge = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def notice(self, change: FileChange) -> None:
        """The file service's listener: quick, it only notes what changed."""
        if change.what == OPENED:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # a command changing storage outside the server: the schedule covers it
        if loop is not self._loop:
            # The server started again on a new loop (or a test client did): the event and the
            # task of the old one cannot be used from this one.
            self._loop, self._nudge, self._task = loop, asyncio.Event(), None
        paths = self._changed.setdefault(change.user_id, set())
        paths.update(path for path in (change.path, change.before) if path)
        self._debounce.notice(loop.time(), 1)
        self._nudge.set()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._settle())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            return  # none, or one of a loop that is gone: nothing here can wait for it
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _settle(self) -> None:
        loop = asyncio.get_running_loop()
        while self._changed or self._waiting:
            due = self._debounce.due_at() or loop.time() + self.settle_seconds
            self._nudge.clear()
            await wait_for_event(self._nudge, max(0.0, due - loop.time()))
            if (self._debounce.due_at() or 0.0) > loop.time():
                continue  # more changes came: wait for them to settle
            self._debounce.take()
            changed, self._changed = self._changed, {}
            try:
                await self._make_due(changed)
            except Exception:  # a database hiccup must not end run-on-write for good
                log.exception("run-on-write: could not check the rules")

    async def _make_due(self, changed: dict[int, set[str]]) -> None:
        due = [rule_id for rule_id in self._waiting if not self.is_running(rule_id)]
        self._waiting -= set(due)
        for user_id, paths in changed.items():
            homes = {c.id for c in await self.store.connections(user_id) if c.kind == HOME}
            for rule in await self.store.rules(user_id):
                if not (rule.enabled and rule.on_change and homes):
                    continue
                if not reads_changed_path(rule, homes, paths):
                    continue
                if self.is_running(rule.id):
                    self._waiting.add(rule.id)
                else:
                    due.append(rule.id)
        now = self.clock()
        for rule_id in due:
            await self.store.make_due(rule_id, now)
        if due:
            self.wake()
