"""Keep an accepted share's two places in step: the sync rules' engine, journal and pair store.

The owner's place is side one, the recipient's side two. Read-write shares run ``bisync``
with keep-both conflicts (both versions stay, nothing is lost); read-only shares run ``sync``
from the owner to the recipient, so a change the recipient made in a provider the server
cannot make read-only is undone from the owner's copy at the next run, and the recipient is
told so. Pair state lives in ``<data dir>/shares/share-<id>/``; the pair folder's lock keeps
out a second run. Each change that crossed becomes a notice for the other party (live now,
mail in a digest, ``digest.py``).

A refused credential sets ``reconnect``: the share waits, nothing is lost, and the party whose
connection refused is told which one to reconnect. A safety stop sets ``held``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from syncoxide.engine.run import RunReport
from syncoxide.errors import AuthenticationError, SafetyLimitError, SyncoxideError
from syncoxide.native.local.pair_store import FilePairStore
from syncoxide.server.accountshares.notices import Notices
from syncoxide.server.accountshares.places import connection_of
from syncoxide.server.accountshares.store import (
    READ_ONLY,
    AccountShare,
    AccountShareStore,
    ShareChange,
)
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.server.rules.store import Connection, RuleStore
from syncoxide.server.storage.owner_only import mkdir_owner_only
from syncoxide.server.storage.port import MetadataStore
from syncoxide.sync.plan import Action, ActionKind, Side

log = logging.getLogger("syncoxide.server.accountshares")
NOTICE_ITEMS = 50
_ACTIONS = {
    ActionKind.COPY: "changed",
    ActionKind.TRASH: "deleted",
    ActionKind.DELETE: "deleted",
    ActionKind.RENAME: "conflict",
}


class ShareAlreadyRunning(Exception):
    """A run of the share was claimed while one is going on (the scheduler checks first)."""


class ShareRunner:
    def __init__(
        self,
        *,
        store: AccountShareStore,
        rules: RuleStore,
        connections: Connections,
        notices: Notices,
        users: MetadataStore,
        data_dir: Path,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.rules = rules
        self.connections = connections
        self.notices = notices
        self.users = users
        self.data_dir = data_dir
        self.clock = clock
        self.running: set[int] = set()
        #: Shares whose places changed while they ran: due again as soon as the run ends.
        self.changed_meanwhile: set[int] = set()

    def claim(self, share_id: int) -> None:
        """Mark the share running, synchronously, before any task for it is started."""
        if share_id in self.running:
            raise ShareAlreadyRunning(share_id)
        self.running.add(share_id)

    async def run_claimed(self, share: AccountShare, trigger: str) -> AccountShare:
        try:
            return await self._run(share)
        finally:
            self.running.discard(share.id)

    async def _run(self, share: AccountShare) -> AccountShare:
        self.store.save(replace(share, sync_status="running", sync_message=""))
        status, message = "ok", ""
        try:
            report = await self._sync(share)
            status, message = await self._record(share, report)
        except SafetyLimitError as error:
            status, message = "held", f"Held, nothing changed: {error}"
        except AuthenticationError as error:
            status, message = "reconnect", await self._reconnect_message(share, error)
        except SyncoxideError as error:
            status, message = "failed", str(error)
        except Exception as error:  # a bug: recorded, and the server keeps going
            log.exception("share %d failed unexpectedly", share.id)
            status, message = "failed", f"Internal error ({type(error).__name__})."
        now = self.clock()
        current = self.store.get(share.id) or share  # revoked meanwhile: keep its new state
        again = share.id in self.changed_meanwhile
        self.changed_meanwhile.discard(share.id)
        done = replace(
            current,
            sync_status=status,
            sync_message=message,
            last_sync_at=now,
            next_sync_at=now if again and status == "ok" else now + current.interval_seconds,
        )
        self.store.save(done)
        for user_id in (share.owner_id, share.recipient_id):
            payload = {"share_id": share.id, "status": status, "message": message}
            await self.notices.notifier.emit(user_id, "share.synced", payload, now)
        return done

    async def _reconnect_message(self, share: AccountShare, error: AuthenticationError) -> str:
        """Which side's connection refused: each is checked once and marked ``reconnect``."""
        names = []
        for user_id, connection_id in (
            (share.owner_id, share.source_id),
            (share.recipient_id, share.dest_id),
        ):
            if connection_id is None:
                continue
            connection = await self.rules.connection(user_id, connection_id)
            if connection is None:
                continue
            _, result = await self.connections.test(connection)
            if result.state == "reconnect":
                user = await self.users.user_by_id(user_id)
                names.append(f"{user.name if user else 'someone'}'s {connection.name}")
        which = " and ".join(names) or "a connection"
        return f"{error} {which} must be reconnected; the share waits and nothing is lost."

    async def _sync(self, share: AccountShare) -> RunReport:
        from syncoxide.engine.run import RunOptions, pair_id, run_pair
        from syncoxide.sync.conflicts import ConflictPolicy
        from syncoxide.sync.plan import Mode
        from syncoxide.system import SystemClock, SystemRandom

        source = await connection_of(self.rules, share.owner_id, share.source_id)
        dest = await connection_of(self.rules, share.recipient_id, share.dest_id)
        await self._make_folder(dest, share.dest_path)
        one = self.connections.provider(source, share.source_path)
        two = self.connections.provider(dest, share.dest_path)
        folder = self.data_dir / "shares" / f"share-{share.id}" / pair_id(one, two)
        mkdir_owner_only(folder)
        pairs = FilePairStore(folder)
        mode = Mode.SYNC if share.access == READ_ONLY else Mode.BISYNC
        # Two storage places here have their digests for free: compare by them, so a rewrite
        # of the same size and time (a client that sends no mtime) is still seen.
        both_here = share.source_id is None and share.dest_id is None
        options = RunOptions(mode=mode, policy=ConflictPolicy("keep-both"), checksum=both_here)
        try:
            pairs.lock()
            return await run_pair(
                one, two, pairs, options, clock=SystemClock(), random=SystemRandom()
            )
        finally:
            pairs.unlock()
            await close_provider(one)
            await close_provider(two)

    async def _make_folder(self, connection: Connection, path: str) -> None:
        """The recipient's folder is made from its provider's root, as a rule's destination."""
        if not path:
            return
        parent = self.connections.provider(connection, "")
        try:
            await parent.mkdir(path)
        finally:
            await close_provider(parent)

    async def _record(self, share: AccountShare, report: RunReport) -> tuple[str, str]:
        """Notices of what crossed, to the party it crossed to; the share's status."""
        done = [o for o in report.outcomes if o.ok and not o.noop]
        now = self.clock()
        told: dict[int, list[dict[str, str]]] = {}
        undone: list[str] = []
        for outcome in done:
            action = _ACTIONS.get(outcome.action.kind)
            if action is None:
                continue
            if outcome.action.kind is ActionKind.COPY and outcome.action.target is None:
                action = "added"
            # An action applied to side two carries a change made on side one, and back.
            to_recipient = outcome.action.side is Side.PATH2
            notify = share.recipient_id if to_recipient else share.owner_id
            actor = share.owner_id if to_recipient else share.recipient_id
            path = outcome.action.path
            if share.access == READ_ONLY and _undid_recipient(share, outcome.action):
                undone.append(path)
                continue
            self.store.add_change(ShareChange(0, share.id, actor, notify, action, path, now))
            told.setdefault(notify, []).append({"path": path, "action": action})
        if undone:
            payload = {"share_id": share.id, "name": share.name, "paths": undone[:NOTICE_ITEMS]}
            payload["message"] = (
                f"{share.name!r} is shared with you read-only: your changes to "
                f"{len(undone)} files were replaced by the owner's copy."
            )
            await self.notices.notifier.emit(share.recipient_id, "share.undone", payload, now)
        for notify, changes in told.items():
            actor = share.owner_id if notify == share.recipient_id else share.recipient_id
            by = await self.users.user_by_id(actor)
            payload = {
                "share_id": share.id,
                "name": share.name,
                "by": by.name if by else "",
                "changes": changes[:NOTICE_ITEMS],
                "more": max(0, len(changes) - NOTICE_ITEMS),
            }
            await self.notices.notifier.emit(notify, "share.changed", payload, now)
        if report.failures:
            first = report.failures[0]
            count = len(report.failures)
            return "partial", f"{count} files failed; first: {first.action.path}: {first.message}"
        return "ok", f"{len(done)} changes made." if done else "Already in step."


def _undid_recipient(share: AccountShare, action: Action) -> bool:
    """Whether a read-only run's action put back the owner's copy over the recipient's own
    change (rather than carrying the owner's change over): told by time, as the pair's
    listing gives it. A file the recipient changed is newer than the owner's; one they added
    appeared after the last run."""
    mine = action.target
    if mine is None:
        return False
    if action.kind is ActionKind.COPY and action.source is not None:
        return mine.mtime_ns > action.source.mtime_ns
    if action.kind is ActionKind.DELETE:
        last = share.last_sync_at
        return last is not None and mine.mtime_ns // 1_000_000_000 >= last
    return False
