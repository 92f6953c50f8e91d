"""Sync rules: what the API does with them, kept apart from HTTP (routes stay thin).

A rule copies, mirrors (``sync``) or two-way syncs (``bisync``) a folder of one connection with
a folder of another (or of the same one) every ``interval_seconds``. Its runs are recorded
and announced as ``rule.run.started`` / ``rule.run.finished`` events for the live socket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from syncoxide.errors import NotFoundError, UsageError
from syncoxide.server.rules.connections import RECONNECT, Connections, close_provider
from syncoxide.server.rules.consent import ConsentFlows
from syncoxide.server.rules.runner import HELD, RuleAlreadyRunning
from syncoxide.server.rules.scheduler import RuleScheduler
from syncoxide.server.rules.store import Connection, Rule, RuleRun, RuleStore

MODES = ("copy", "sync", "bisync")
CONFLICTS = ("newer", "older", "larger", "path1", "path2", "keep-both")
MIN_INTERVAL_SECONDS = 10
MAX_INTERVAL_SECONDS = 30 * 86400
RUNS_SHOWN = 10


def clean_path(path: str) -> str:
    """``a/b`` for ``/a/b/``; a ``UsageError`` for ``..`` or ``.`` segments."""
    parts = [p for p in path.strip().strip("/").split("/") if p]
    if any(p in {".", ".."} for p in parts):
        raise UsageError(f"{path!r} is not a folder path.", hint="Leave out '.' and '..'.")
    return "/".join(parts)


def _overlap(one: str, two: str) -> bool:
    return one == two or one.startswith(two + "/") or two.startswith(one + "/") or "" in (one, two)


class RuleService:
    def __init__(
        self,
        store: RuleStore,
        connections: Connections,
        scheduler: RuleScheduler,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.connections = connections
        self.scheduler = scheduler
        self.clock = clock
        self.consents = ConsentFlows(connections, clock)
        #: Told when a connection works again (account shares waiting on it resume).
        self.reconnect_listeners: list[Callable[[Connection], None]] = []
        #: Awaited once a connection is deleted, before the request answers (the catalog
        #: drops what it indexed of it, so a new connection of that name starts empty).
        self.delete_listeners: list[Callable[[Connection], Awaitable[None]]] = []

    async def connection(self, user_id: int, connection_id: int) -> Connection:
        found = await self.store.connection(user_id, connection_id)
        if found is None:
            raise NotFoundError(f"You have no connection {connection_id}.")
        return found

    async def rule(self, user_id: int, rule_id: int) -> Rule:
        found = await self.store.rule(user_id, rule_id)
        if found is None:
            raise NotFoundError(f"You have no rule {rule_id}.")
        return found

    async def delete_connection(self, connection: Connection) -> None:
        """Delete the connection (its rules go with it), then tell those keeping data of it."""
        await self.store.delete_connection(connection.user_id, connection.id)
        for listener in self.delete_listeners:
            await listener(connection)

    async def reconnected(self, connection: Connection) -> None:
        """Rules that waited for this connection are due again at once."""
        if connection.state != "ok":
            return
        for listener in self.reconnect_listeners:
            listener(connection)
        for rule in await self.store.rules_using(connection.id):
            if rule.status == RECONNECT:
                await self.store.save_rule(replace(rule, status="idle", next_run_at=self.clock()))
        self.scheduler.wake()

    async def create_rule(self, user_id: int, body: dict[str, Any]) -> Rule:
        now = self.clock()
        rule = Rule(
            id=0,
            user_id=user_id,
            name=body.get("name", "").strip() or "Rule",
            source_id=body["source_id"],
            source_path=clean_path(body.get("source_path", "")),
            dest_id=body["dest_id"],
            dest_path=clean_path(body.get("dest_path", "")),
            mode=body.get("mode", "copy"),
            conflict=body.get("conflict", "newer"),
            interval_seconds=body.get("interval_seconds", 3600),
            enabled=body.get("enabled", True),
            status="idle",
            status_message="",
            next_run_at=now,
            last_run_at=None,
            created_at=now,
            on_change=body.get("on_change", False),
        )
        await self._check(rule)
        added = await self.store.add_rule(rule)
        self.scheduler.wake()
        return added

    async def update_rule(self, user_id: int, rule_id: int, body: dict[str, Any]) -> Rule:
        rule = await self.rule(user_id, rule_id)
        changes = dict(body)
        for key in ("source_path", "dest_path"):
            if key in changes:
                changes[key] = clean_path(changes[key])
        updated = replace(rule, **changes)
        await self._check(updated)
        if updated.interval_seconds != rule.interval_seconds and rule.last_run_at is not None:
            updated = replace(updated, next_run_at=rule.last_run_at + updated.interval_seconds)
        await self.store.save_rule(updated)
        self.scheduler.wake()
        return updated

    async def delete_rule(self, user_id: int, rule_id: int) -> None:
        if not await self.store.delete_rule(user_id, rule_id):
            raise NotFoundError(f"You have no rule {rule_id}.")

    async def run_now(self, user_id: int, rule_id: int) -> Rule:
        rule = await self.rule(user_id, rule_id)
        try:
            if rule.status == "running":  # here, or on another instance of the deployment
                raise RuleAlreadyRunning(rule.id)
            self.scheduler.start_run(rule, "manual")
        except RuleAlreadyRunning:
            raise UsageError(
                "This rule is running already.", hint="Its run is shown when it finishes."
            ) from None
        return replace(rule, status="running", status_message="")

    async def proceed(self, user_id: int, rule_id: int) -> Rule:
        """Run a rule a safety stop held, once, past the stops."""
        rule = await self.rule(user_id, rule_id)
        if rule.status != HELD:
            raise UsageError(
                "This rule is not held by a safety stop.", hint="Use Run now to run it."
            )
        try:
            self.scheduler.start_run(rule, "proceed", proceed=True)
        except RuleAlreadyRunning:
            raise UsageError("This rule is running already.") from None
        return replace(rule, status="running", status_message="")

    async def rules_with_runs(
        self, user_id: int, runs: int
    ) -> list[tuple[Rule, Sequence[RuleRun]]]:
        """The user's rules, each with its last ``runs`` runs."""
        return [(r, await self.store.runs(r.id, runs)) for r in await self.store.rules(user_id)]

    async def runs(self, user_id: int, rule_id: int, limit: int = RUNS_SHOWN) -> list[RuleRun]:
        await self.rule(user_id, rule_id)
        return list(await self.store.runs(rule_id, limit))

    async def _check(self, rule: Rule) -> None:
        if rule.mode not in MODES:
            raise UsageError(f"Unknown mode {rule.mode!r}.", hint=f"Use one of {', '.join(MODES)}.")
        if rule.conflict not in CONFLICTS:
            raise UsageError(
                f"Unknown conflict policy {rule.conflict!r}.", hint=f"Use {', '.join(CONFLICTS)}."
            )
        if not MIN_INTERVAL_SECONDS <= rule.interval_seconds <= MAX_INTERVAL_SECONDS:
            raise UsageError(
                f"Run every {MIN_INTERVAL_SECONDS} seconds at most often, and at least every "
                "30 days."
            )
        source = await self.connection(rule.user_id, rule.source_id)
        dest = await self.connection(rule.user_id, rule.dest_id)
        if source.id == dest.id and _overlap(rule.source_path, rule.dest_path):
            raise UsageError(
                "The two folders overlap.", hint="Pick folders that do not contain each other."
            )
        for connection, path in ((source, rule.source_path), (dest, rule.dest_path)):
            # Building the provider checks the path against its type (Drive takes no path).
            await close_provider(self.connections.provider(connection, path))
