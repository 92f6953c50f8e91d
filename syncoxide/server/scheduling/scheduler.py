"""The task that starts due rules, running for the life of the server (the app's lifespan).

Sync rules and backup rules are both scheduled this way. Schedules live in the database
(``next_run_at``), so a restarted server picks them up where they were; runs a stopped server
left unfinished are marked interrupted at start. Each tick asks the store for due rules and
starts each one that is not already running; ``wake()`` makes "run now" start without waiting
a tick. Other work that must stop with the server (a restore, a changes feed poller) runs as
a task here too, so stopping the server stops it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, Protocol, TypeVar

TICK_SECONDS = 1.0


class ScheduledRule(Protocol):
    @property
    def id(self) -> int: ...


RuleT = TypeVar("RuleT", bound=ScheduledRule)
RuleT_contra = TypeVar("RuleT_contra", bound=ScheduledRule, contravariant=True)
RuleT_co = TypeVar("RuleT_co", bound=ScheduledRule, covariant=True)


class DueStore(Protocol[RuleT_co]):
    async def due_rules(self, now: int) -> Sequence[RuleT_co]: ...
    async def interrupted_at_start(self, now: int) -> int: ...


class RuleRunner(Protocol[RuleT]):
    """What runs one rule: claims it (synchronously, so a rule never runs twice at once),
    then runs the claimed rule to its end."""

    @property
    def store(self) -> DueStore[RuleT]: ...
    @property
    def running(self) -> set[int]: ...
    @property
    def clock(self) -> Callable[[], int]: ...
    def claim(self, rule_id: int) -> None: ...
    def run_claimed(self, rule: RuleT, trigger: str) -> Coroutine[Any, Any, object]: ...


class DueRuleScheduler(Generic[RuleT]):
    #: The log that says how many runs the last stop interrupted.
    log = logging.getLogger("syncoxide.server.scheduling")
    #: That log line, given the number of interrupted runs.
    interrupted_words = "%d runs were interrupted by the last stop"

    def __init__(self, runner: RuleRunner[RuleT], tick_seconds: float = TICK_SECONDS) -> None:
        self.runner = runner
        self.tick_seconds = tick_seconds
        self._loop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()

    async def start(self) -> None:
        interrupted = await self.runner.store.interrupted_at_start(self.runner.clock())
        if interrupted:
            self.log.warning(self.interrupted_words, interrupted)
        self._loop_task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop_task = None

    def wake(self) -> None:
        self._wake.set()

    def start_run(self, rule: RuleT, trigger: str) -> None:
        """Run ``rule`` in the background; the runner's AlreadyRunning error if it is running."""
        self.runner.claim(rule.id)
        self.background(self.runner.run_claimed(rule, trigger))

    def background(self, work: Coroutine[Any, Any, object]) -> None:
        """Run ``work`` as a task that the server's stop cancels and waits for."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _loop(self) -> None:
        while True:
            for rule in await self.runner.store.due_rules(self.runner.clock()):
                if rule.id not in self.runner.running:
                    self.start_run(rule, "schedule")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
