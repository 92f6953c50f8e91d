"""Applying plan actions through providers, phase by phase, N at a time.

Each action is journaled DONE (or FAILED) right after it commits. When resuming a journal
(``recheck=True``) every action first compares what is there now with what the plan expected:
if the effect is already there it is marked done; if someone changed the file since, the action
is skipped (the fresh plan that follows a resume decides again). That makes replay idempotent.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    NotFoundError,
    SyncoxideError,
)
from syncoxide.providers.contract import DeltaWritten, Entry, Provider
from syncoxide.sync.plan import Action, ActionKind, Side
from syncoxide.wal.codec import encode_done, encode_failed, encode_part

from .delta import DeltaSettings, copy_delta, delta_writer
from .moves import ListedMove, apply_rename, move_within
from .outcome import Outcome, same_entry, stat_or_none
from .pair_store import PairStore
from .parts import PartJob, PartSettings, StoredParts, copy_in_parts, parts_writer
from .remembered_digests import worth_remembering
from .side_by_side import gather_or_cancel
from .transfer import copy_verified

Progress = Callable[[Outcome], None]
#: Files below this size are latency-bound (open, write, rename, flush), not bandwidth-bound:
#: up to SMALL_FILE_WIDTH of them are in flight at once (like rclone's checkers), while
#: --transfers bounds the large streams. A wide window also lets a provider batch its
#: durability flushes (one journal commit for many files). Memory stays bounded: a file
#: waiting for its flush holds no bytes; only the few being read hold up to 256 KiB each.
SMALL_FILE_BYTES = 256 * 1024
SMALL_FILE_WIDTH = 256
_MARK_BATCH = 128


@dataclass(frozen=True)
class CopySettings:
    """How the executor copies: the digest both sides share, how many large streams at once,
    whether each action is re-checked first (a journal resume), how big files go in parts and
    whether changed big files go as deltas."""

    hash_kind: str | None
    transfers: int = 4
    recheck: bool = False
    parts: PartSettings | None = None
    delta: DeltaSettings | None = None
    #: Big files copied in parts to a destination that gives no digest also get the source's
    #: whole-file digest (one more local read), for renames to pair by later.
    remember_digests: bool = False
    #: A fresh one-way plan: each loose RENAME's target was free in the listing the plan was
    #: made from and its source entry is as listed, so a provider that ``MovesListedFiles``
    #: need not ask again (``syncoxide.engine.moves``).
    listed_moves: bool = False


class Executor:
    def __init__(
        self,
        providers: Mapping[Side, Provider],
        *,
        store: PairStore | None,
        trash_root: str,
        settings: CopySettings,
        progress: Progress | None = None,
        stored_parts: Mapping[int, StoredParts] | None = None,
    ) -> None:
        self.providers = providers
        self.store = store
        self.trash_root = trash_root
        self.hash_kind = settings.hash_kind
        self.transfers = max(1, settings.transfers)
        self.recheck = settings.recheck
        self.progress = progress
        #: How big files go in parts, and the ranges an interrupted run already stored
        #: (from its journal's PART records).
        self.parts = settings.parts or PartSettings()
        self.stored_parts = stored_parts or {}
        self.delta = settings.delta or DeltaSettings()
        self.remember_digests = settings.remember_digests
        self.listed_moves = settings.listed_moves and not settings.recheck
        #: Folders the plan removes, per side: a move that empties one need not keep it.
        self.removed_folders: dict[Side, set[str]] = {side: set() for side in Side}
        self._large_slots = asyncio.Semaphore(self.transfers)
        # A copy must not run when an earlier step for the same file (its trash or
        # keep-both rename) failed: it would overwrite a version nobody saved.
        self.failed: set[str] = set()
        # DONE marks go out in batches: each write costs a GIL round trip while workers run,
        # and a mark lost in a crash only means that action is re-checked on resume.
        self._marks: list[bytes] = []

    async def run(self, indexed: list[tuple[int, Action]]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for _, action in indexed:
            if action.kind is ActionKind.RMDIR:
                self.removed_folders[action.side].add(action.path)
        for phase in sorted({action.phase for _, action in indexed}):
            batch = [(i, a) for i, a in indexed if a.phase == phase]
            kind = batch[0][1].kind
            ordered = kind in (ActionKind.MKDIR, ActionKind.RMDIR)
            width = max(self.transfers, SMALL_FILE_WIDTH) if kind is ActionKind.COPY else 1
            chained = [(i, a) for i, a in batch if a.chain]
            loose = [(i, a) for i, a in batch if not a.chain]
            done = await gather_or_cancel(
                self._run_chains(chained),
                self._run_batch(loose, 1 if ordered else max(width, self.transfers)),
            )
            outcomes += done[0] + done[1]
            await self._flush_marks()
        return outcomes

    async def _flush_marks(self) -> None:
        if self.store is not None and self._marks:
            marks, self._marks = b"".join(self._marks), []
            await self.store.append_journal(marks, durable=False)

    async def _run_chains(self, steps: list[tuple[int, Action]]) -> list[Outcome]:
        """Each move chain's steps one after another, in their order; chains side by side.

        Every step's mark is written as soon as it commits: a resumed run must not redo a
        step whose effect a later step already changed."""
        chains: dict[int, list[tuple[int, Action]]] = {}
        for index, action in steps:
            chains.setdefault(action.chain, []).append((index, action))

        async def one_chain(chain: list[tuple[int, Action]]) -> list[Outcome]:
            outcomes = []
            for index, action in sorted(chain, key=lambda pair: pair[1].step):
                outcomes.append(await self._apply_logged(index, action))
                await self._flush_marks()
            return outcomes

        done = await gather_or_cancel(*(one_chain(chain) for chain in chains.values()))
        return [outcome for chain in done for outcome in chain]

    async def _run_batch(self, batch: list[tuple[int, Action]], width: int) -> list[Outcome]:
        queue = iter(batch)
        results: list[Outcome] = []

        async def worker() -> None:
            for index, action in queue:
                results.append(await self._apply_logged(index, action))

        # A worker fails only on what _apply_logged does not turn into a failed file (a bug, an
        # untranslated foreign error, the journal's store): the others stop with it.
        await gather_or_cancel(*(worker() for _ in range(min(width, len(batch)))))
        return results

    async def _apply_logged(self, index: int, action: Action) -> Outcome:
        try:
            if action.kind is ActionKind.COPY and action.key in self.failed:
                outcome = Outcome(
                    index,
                    action,
                    ok=False,
                    message=f"{action.path}: skipped, an earlier step failed.",
                )
            else:
                outcome = await self._apply(index, action)
        except SyncoxideError as error:
            outcome = Outcome(index, action, ok=False, message=str(error))
        except OSError as error:  # a provider failed to translate: still fail just this file
            outcome = Outcome(index, action, ok=False, message=f"{action.path}: {error}")
        if not outcome.ok:
            self.failed.add(action.key)
        self._marks.append(
            encode_done(index) if outcome.ok else encode_failed(index, outcome.message)
        )
        if len(self._marks) >= _MARK_BATCH:
            await self._flush_marks()
        if self.progress is not None:
            self.progress(outcome)
        return outcome

    async def _apply(self, index: int, action: Action) -> Outcome:
        where = self.providers[action.side]
        if action.kind is ActionKind.MKDIR:
            await where.mkdir(action.path)
        elif action.kind is ActionKind.RMDIR:
            return await self._rmdir(index, action, where)
        elif action.kind in (ActionKind.DELETE, ActionKind.TRASH):
            return await self._remove(index, action, where)
        elif action.kind is ActionKind.RENAME:
            return await self._rename(index, action, where)
        elif action.kind is ActionKind.TOUCH:
            return await self._touch(index, action, where)
        else:
            return await self._copy(index, action)
        return Outcome(index, action, ok=True)

    async def _rmdir(self, index: int, action: Action, where: Provider) -> Outcome:
        try:
            await where.delete(action.path)
        except NotFoundError:
            return Outcome(index, action, ok=True, noop=True)
        except DirectoryNotEmptyError:
            return Outcome(index, action, ok=True, noop=True, message="kept: not empty")
        return Outcome(index, action, ok=True)

    async def _remove(self, index: int, action: Action, where: Provider) -> Outcome:
        current = await stat_or_none(where, action.path)
        if current is None:
            return Outcome(index, action, ok=True, noop=True)
        if self.recheck and action.chain and same_entry(current, action.source):
            # A chain's DISCARD carries the file that moves in next: found here, the occupant
            # is already gone, and this file must stay.
            return Outcome(index, action, ok=True, noop=True)
        if self.recheck and not same_entry(current, action.target):
            return Outcome(index, action, ok=True, noop=True, message="changed since the plan")
        if action.kind is ActionKind.TRASH:
            await self._to_trash(where, action.path)
        else:
            await where.delete(action.path)
        return Outcome(index, action, ok=True)

    async def _to_trash(self, where: Provider, path: str) -> None:
        target = f"{self.trash_root}/{path}"
        for attempt in range(2, 100):
            try:
                await move_within(where, path, target, self.hash_kind)
                return
            except AlreadyExistsError:
                # A resumed run can trash a second version of the same name: keep both.
                target = f"{self.trash_root}/{path}.{attempt}"
        raise AlreadyExistsError(f"No free trash name for {path!r}.")

    async def _rename(self, index: int, action: Action, where: Provider) -> Outcome:
        listed = ListedMove(self.removed_folders[action.side]) if self.listed_moves else None
        return await apply_rename(
            index, action, where, hash_kind=self.hash_kind, recheck=self.recheck, listed=listed
        )

    async def _touch(self, index: int, action: Action, where: Provider) -> Outcome:
        """Set the time of a file whose content equals the other side's, if it is unchanged.

        Stat first even on a first try: an edit made since the listing must keep its own
        time, or the next run would take it for the synced version."""
        assert action.source is not None and action.target is not None
        wanted = action.source.mtime_ns
        aligned = replace(action.target, mtime_ns=wanted)
        current = await stat_or_none(where, action.path)
        if same_entry(current, aligned):
            return Outcome(index, action, ok=True, noop=True, written=aligned)
        if not same_entry(current, action.target):
            return Outcome(index, action, ok=True, noop=True, message="changed since the plan")
        await where.set_mtime(action.path, wanted)
        return Outcome(index, action, ok=True, written=aligned)

    async def _copy(self, index: int, action: Action) -> Outcome:
        assert action.source is not None and action.source_path is not None
        source_side = self.providers[action.side.other]
        dest = self.providers[action.side]
        source = replace(action.source, path=action.source_path)
        target = action.target
        if self.recheck:
            verdict, target = await self._recheck_copy(index, action, source, dest)
            if verdict is not None:
                return verdict
        already_there = action.delete_source and same_entry(target, source)
        if (
            target is not None
            and already_there
            and await self._twins(source_side, source, dest, target)
        ):
            await source_side.delete(source.path)
            return Outcome(index, action, ok=True, written=target, bytes_moved=0)
        if target is not None and await self._only_touched(source_side, source, dest, target):
            # Same bytes, other mtime (a `touch`): fix the time, move no data (as rclone does).
            await dest.set_mtime(action.path, source.mtime_ns)
            written = replace(target, mtime_ns=source.mtime_ns)
            return Outcome(index, action, ok=True, written=written, bytes_moved=0)
        if action.backup and target is not None:
            await self._to_trash(dest, action.path)
            target = None
        written, moved = await self._transfer(
            index, source_side, source, dest, path=action.path, old=target
        )
        if action.delete_source:
            await source_side.delete(source.path)
        return Outcome(index, action, ok=True, written=written, bytes_moved=moved)

    async def _transfer(
        self,
        index: int,
        source_side: Provider,
        source: Entry,
        dest: Provider,
        *,
        path: str,
        old: Entry | None,
    ) -> tuple[Entry, int | None]:
        """The new entry, and the bytes that travelled when fewer than its size (a delta)."""
        by_delta = await self._transfer_delta(source_side, source, dest, path=path, old=old)
        if by_delta is not None:
            return by_delta.entry, by_delta.blocks_bytes
        return await self._transfer_whole(index, source_side, source, dest, path=path), None

    async def _transfer_whole(
        self, index: int, source_side: Provider, source: Entry, dest: Provider, *, path: str
    ) -> Entry:
        if source.size < SMALL_FILE_BYTES:
            return await copy_verified(source_side, source, dest, path, kind=self.hash_kind)
        in_parts = parts_writer(dest, source.size, self.parts)
        async with self._large_slots:
            if in_parts is None:
                return await copy_verified(source_side, source, dest, path, kind=self.hash_kind)
            job = PartJob(
                self._part_token(index),
                self._part_recorder(index),
                stored=self.stored_parts.get(index, {}),
                hash_whole=self.remember_digests
                and worth_remembering(source_side, dest, self.hash_kind),
            )
            return await copy_in_parts(
                source_side,
                source,
                in_parts,
                path,
                hash_kind=self.hash_kind,
                job=job,
                settings=self.parts,
            )

    async def _transfer_delta(
        self, source_side: Provider, source: Entry, dest: Provider, *, path: str, old: Entry | None
    ) -> DeltaWritten | None:
        """What was written when ``source`` replaced ``old`` by its changed blocks; None when
        this copy does not go as a delta."""
        writer = delta_writer(dest, source, old, self.delta)
        if writer is None:
            return None
        async with self._large_slots:
            try:
                done = await copy_delta(
                    source_side, source, writer, path, kind=self.hash_kind, settings=self.delta
                )
            except NotFoundError:
                return None  # the old file went away since the listing: copy the new one whole
        return done

    def _part_token(self, index: int) -> str:
        # Same journal, same action -> same token: the resumed run finds the partial object.
        return hashlib.sha256(f"{self.trash_root}\0{index}".encode()).hexdigest()[:20]

    def _part_recorder(self, index: int) -> Callable[[int, int, str], Awaitable[None]]:
        async def record(offset: int, length: int, digest: str) -> None:
            # Not fsynced: a record lost with the machine only means the range is copied again.
            if self.store is not None:
                await self.store.append_journal(
                    encode_part(index, offset, length, digest), durable=False
                )

        return record

    async def _only_touched(
        self, source_side: Provider, source: Entry, dest: Provider, target: Entry
    ) -> bool:
        if target.size != source.size or target.mtime_ns == source.mtime_ns:
            return False
        known = source.hashes.keys() & target.hashes.keys()
        if known:  # --checksum already compared them
            kind = sorted(known)[0]
            return source.hashes[kind] == target.hashes[kind]
        if delta_writer(dest, source, target, self.delta) is not None:
            # The delta compares every block anyway and only sets the time when none
            # differs: hashing both files first would read each of them once more.
            return False
        return await self._twins(source_side, source, dest, target)

    async def _twins(self, one: Provider, a: Entry, two: Provider, b: Entry) -> bool:
        if self.hash_kind is None:
            return False
        return await self._digest(one, a, self.hash_kind) == await self._digest(
            two, b, self.hash_kind
        )

    @staticmethod
    async def _digest(provider: Provider, entry: Entry, kind: str) -> str:
        """The entry's digest: as listed or kept in the pair state, else read from the file."""
        known = entry.hashes.get(kind)
        return known if known is not None else await provider.hash(entry.path, kind)

    async def _recheck_copy(
        self, index: int, action: Action, source: Entry, dest: Provider
    ) -> tuple[Outcome | None, Entry | None]:
        """What a resumed copy finds: its outcome if there is nothing to copy, and the
        destination entry now. Both sides are asked at once: on a resume of many files
        each serial stat was one more round trip per file."""
        now_source, now_dest = await asyncio.gather(
            stat_or_none(self.providers[action.side.other], source.path),
            stat_or_none(dest, action.path),
        )
        if now_source is None:
            done = action.delete_source and same_entry(now_dest, source)
            gone = "" if done else "source gone since the plan"
            return Outcome(index, action, ok=True, noop=True, message=gone), now_dest
        if not same_entry(now_source, source):
            return Outcome(index, action, ok=True, noop=True, message="source changed"), now_dest
        if same_entry(now_dest, source) and not action.delete_source:
            return Outcome(index, action, ok=True, noop=True, written=now_dest), now_dest
        if (
            now_dest is not None
            and not same_entry(now_dest, action.target)
            and not same_entry(now_dest, source)
        ):
            changed = "destination changed"
            return Outcome(index, action, ok=True, noop=True, message=changed), now_dest
        return None, now_dest


def failed_keys(outcomes: list[Outcome]) -> set[str]:
    return {o.action.key for o in outcomes if not o.ok}
