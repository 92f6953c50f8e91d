"""Run one sync rule on the server: the CLI's engine, journal and pair store, per user.

Pair state and journals live in ``<data dir>/rules/user-<id>/pairs/<pair id>/``, in the format
``syncoxide sync`` uses, so a run the server was stopped in the middle of is resumed by the
rule's next run. A rule never runs twice at once: this process keeps a set of running rule
ids, and the pair folder's lock keeps out any other process (another server, the CLI).

A refused credential (``AuthenticationError``) sets the rule to ``reconnect`` and checks its
two connections once, so the app can say which one to reconnect; the scheduler does not pick
up a rule in that state until the connection is fixed.

A safety stop (a side that lists empty, too many deletions, every file changed; see
``syncoxide.engine.safety``) sets the rule to ``held``: nothing was changed, the scheduler
leaves it alone, and the user looks and either fixes the cause and runs it, or proceeds once
(``POST /rules/{id}/proceed``), which runs it past the stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from syncoxide.engine.summary import summary_json
from syncoxide.errors import (
    AuthenticationError,
    NotFoundError,
    SafetyLimitError,
    SyncoxideError,
)
from syncoxide.native.local.pair_store import FilePairStore
from syncoxide.providers.contract import Provider
from syncoxide.server.events.service import Notifier
from syncoxide.server.rules.connections import RECONNECT, Connections, close_provider
from syncoxide.server.rules.store import Connection, Rule, RuleRun, RuleStore
from syncoxide.server.storage.owner_only import mkdir_owner_only
from syncoxide.units import counted

log = logging.getLogger("syncoxide.server.rules")
DETAIL_ITEMS = 50
HELD = "held"


class RuleAlreadyRunning(Exception):
    pass


class RuleRunner:
    def __init__(
        self,
        *,
        store: RuleStore,
        connections: Connections,
        notifier: Notifier,
        data_dir: Path,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.connections = connections
        self.notifier = notifier
        self.data_dir = data_dir
        self.clock = clock
        self.running: set[int] = set()

    def pair_folder(self, user_id: int, pair: str) -> Path:
        folder = self.data_dir / "rules" / f"user-{user_id}" / "pairs" / pair
        mkdir_owner_only(folder)  # the pair state lists the user's file names
        return folder

    def claim(self, rule_id: int) -> None:
        """Mark the rule running, synchronously, before any task for it is started."""
        if rule_id in self.running:
            raise RuleAlreadyRunning(rule_id)
        self.running.add(rule_id)

    async def run(self, rule: Rule, trigger: str, *, proceed: bool = False) -> RuleRun:
        self.claim(rule.id)
        return await self.run_claimed(rule, trigger, proceed=proceed)

    async def run_claimed(self, rule: Rule, trigger: str, *, proceed: bool = False) -> RuleRun:
        try:
            return await self._run(rule, trigger, proceed)
        finally:
            self.running.discard(rule.id)

    async def _run(self, rule: Rule, trigger: str, proceed: bool) -> RuleRun:
        started = self.clock()
        run = await self.store.add_run(
            RuleRun(0, rule.id, trigger, "running", started, None, 0, 0, 0, 0, "", {})
        )
        await self.store.set_rule_status(rule.id, "running", "")
        await self._emit(rule, run, "rule.run.started")
        try:
            run = await self._sync(rule, run, proceed)
        except asyncio.CancelledError:
            run = replace(run, status="interrupted", message="The server stopped this run.")
            await self._finish(rule, run)
            raise
        except SafetyLimitError as error:
            stop = {"stop": error.code}
            run = replace(run, status=HELD, message=f"Held, nothing changed: {error}", details=stop)
        except AuthenticationError as error:
            run = replace(run, status=RECONNECT, message=await self._reconnect_message(rule, error))
        except SyncoxideError as error:
            run = replace(run, status="failed", message=str(error))
        except Exception as error:  # a bug: recorded, and the server keeps going
            log.exception("rule %d failed unexpectedly", rule.id)
            run = replace(run, status="failed", message=f"Internal error ({type(error).__name__}).")
        return await self._finish(rule, run)

    async def _sync(self, rule: Rule, run: RuleRun, proceed: bool) -> RuleRun:
        from syncoxide.engine.run import RunOptions, pair_id, run_pair
        from syncoxide.sync.conflicts import ConflictPolicy
        from syncoxide.sync.plan import Mode
        from syncoxide.system import SystemClock, SystemRandom

        one, two = await self._providers(rule)
        store = FilePairStore(self.pair_folder(rule.user_id, pair_id(one, two)))
        options = RunOptions(mode=Mode(rule.mode), policy=ConflictPolicy(rule.conflict))
        if proceed:  # the user looked at the stop and chose to go on, for this run only
            options = replace(options, force=True, allow_empty_side=True, max_delete_percent=100)
        try:
            store.lock()
            await self._make_destination(rule)  # a missing source, though, is an error
            report = await run_pair(
                one, two, store, options, clock=SystemClock(), random=SystemRandom()
            )
        finally:
            store.unlock()
            await close_provider(one)
            await close_provider(two)
        return _with_report(run, summary_json(report, 0.0))

    async def _make_destination(self, rule: Rule) -> None:
        """Create the destination folder from its connection's root: a provider rooted at a
        folder that does not exist cannot always create its own root (WebDAV)."""
        if not rule.dest_path:
            return
        parent = self.connections.provider(await self._connection(rule, rule.dest_id), "")
        try:
            await parent.mkdir(rule.dest_path)
        finally:
            await close_provider(parent)

    async def _providers(self, rule: Rule) -> tuple[Provider, Provider]:
        source, dest = (
            await self._connection(rule, rule.source_id),
            await self._connection(rule, rule.dest_id),
        )
        return (
            self.connections.provider(source, rule.source_path),
            self.connections.provider(dest, rule.dest_path),
        )

    async def _connection(self, rule: Rule, connection_id: int) -> Connection:
        found = await self.store.connection(rule.user_id, connection_id)
        if found is None:
            raise NotFoundError("A connection this rule uses was deleted.")
        return found

    async def _reconnect_message(self, rule: Rule, error: AuthenticationError) -> str:
        """Which connection refused us: each is checked once, and marked ``reconnect``."""
        names = []
        for connection_id in {rule.source_id, rule.dest_id}:
            connection = await self.store.connection(rule.user_id, connection_id)
            if connection is None:
                continue
            _, result = await self.connections.test(connection)
            if result.state == RECONNECT:
                names.append(connection.name)
        which = " and ".join(sorted(names)) or "a connection"
        return f"{error} Reconnect {which}; the rule waits until then."

    async def _finish(self, rule: Rule, run: RuleRun) -> RuleRun:
        now = self.clock()
        run = replace(run, finished_at=now)
        await self.store.save_run(run)
        current = await self.store.rule(rule.user_id, rule.id)
        if current is not None:  # deleted while it ran: nothing left to update
            status = "idle" if run.status == "interrupted" else run.status
            await self.store.save_rule(
                replace(
                    current,
                    status=status,
                    status_message=run.message,
                    last_run_at=now,
                    next_run_at=now + current.interval_seconds,
                )
            )
        await self._emit(rule, run, "rule.run.finished")
        return run

    async def _emit(self, rule: Rule, run: RuleRun, kind: str) -> None:
        payload = {"rule_id": rule.id, "run_id": run.id, "status": run.status}
        await self.notifier.emit(rule.user_id, kind, payload, self.clock())


def _with_report(run: RuleRun, summary: dict[str, Any]) -> RuleRun:
    failures, conflicts = summary["failures"], summary["conflicts"]
    done = sum(summary["done"].values())
    if failures:
        first = failures[0]
        message = (
            f"{counted(len(failures), 'file')} failed, the rest is done; "
            f"first: {first['path']}: {first['error']}"
        )
    else:
        message = (
            f"{counted(done, 'change')} made, every copy verified." if done else "Already in step."
        )
    return replace(
        run,
        status="partial" if failures else "ok",
        actions=done,
        failed=len(failures),
        conflicts=len(conflicts),
        bytes=int(summary["bytes_copied"]),
        message=message,
        details={"failures": failures[:DETAIL_ITEMS], "conflicts": conflicts[:DETAIL_ITEMS]},
    )
