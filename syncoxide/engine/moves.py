"""Moving a file within one provider: server-side when it can, else copy + verify + delete;
and applying the plan's RENAME actions (keep-both steps aside, detected renames, move-chain
steps) through it.

Renames found by the planner and trash moves both come here. ``Features.server_side_move``
picks ``Provider.move`` (no bytes travel); without it a provider with ``server_side_copy``
duplicates the file itself and we check the copy's size before deleting the original;
otherwise the bytes stream through us, hash-verified like any copy. In every case the
original is deleted only after the new name holds the whole file, so a crash between the two
leaves both, never neither.

On a resumed run each rename first checks what is there now: moved already (the old name
empty, the new one taken), parked already (a chain's temporary name taken), or changed since
the plan (left alone; the fresh plan that follows decides again). A chain's last step moves a
parked file to its new name; if that name was taken since the plan, the file goes back to its
own name instead, or stays parked for the next run to keep in the trash
(``syncoxide.engine.listing_io.recover_parked``): a move never overwrites.

A fresh one-way plan's loose renames (``ListedMove``) go to a provider that
``MovesListedFiles`` with what the listing showed: the source entry as listed, the target free,
and whether the plan removes the source's folder. S3 then sends a copy and a delete per file,
as rclone does, instead of asking again about the target, the source and the folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import AlreadyExistsError, IntegrityError, NotFoundError
from syncoxide.providers.contract import CopiesWithin, EntryKind, MovesListedFiles, Provider
from syncoxide.sync.plan import Action, is_parked

from .outcome import Outcome, same_entry, stat_or_none
from .transfer import copy_verified


async def move_within(where: Provider, source: str, target: str, hash_kind: str | None) -> None:
    """Move ``source`` to ``target``; ``AlreadyExistsError`` if ``target`` exists."""
    if where.features.server_side_move:
        await where.move(source, target)
        return
    await _refuse_existing(where, target)
    entry = await where.stat(source)
    if where.features.server_side_copy and isinstance(where, CopiesWithin):
        await where.copy(source, target)
        copied = await where.stat(target)
        if copied.size != entry.size:
            raise IntegrityError(
                f"The server-side copy of {source!r} to {target!r} has {copied.size} bytes, "
                f"not {entry.size}.",
                hint="The original was kept; run again.",
            )
    else:
        await copy_verified(where, entry, where, target, kind=hash_kind)
    await where.delete(source)


async def _refuse_existing(where: Provider, target: str) -> None:
    try:
        await where.stat(target)
    except NotFoundError:
        return
    raise AlreadyExistsError(f"{target!r} already exists.")


@dataclass(frozen=True)
class ListedMove:
    """What a fresh one-way plan knows about its loose renames: each target was free when
    listed, and the folders the plan removes (a move that empties one need not keep it)."""

    removed_folders: set[str]

    def folder_stays(self, path: str) -> bool:
        return path.rpartition("/")[0] not in self.removed_folders


async def apply_rename(
    index: int,
    action: Action,
    where: Provider,
    *,
    hash_kind: str | None,
    recheck: bool,
    listed: ListedMove | None = None,
) -> Outcome:
    assert action.source_path is not None
    if recheck:
        verdict = await _recheck(index, action, where)
        if verdict is not None:
            return verdict
    source = action.source
    if (
        listed is not None
        and not action.chain
        and source is not None
        and source.kind is EntryKind.FILE
        and source.path == action.source_path
        and where.features.server_side_move
        and isinstance(where, MovesListedFiles)
    ):
        folder_stays = listed.folder_stays(action.source_path)
        await where.move_listed(source, action.path, folder_stays=folder_stays)
        return Outcome(index, action, ok=True)
    try:
        await move_within(where, action.source_path, action.path, hash_kind)
    except AlreadyExistsError:
        if not is_parked(action.source_path):
            raise
        return await _unpark_back(index, action, where, hash_kind)
    return Outcome(index, action, ok=True)


async def _recheck(index: int, action: Action, where: Provider) -> Outcome | None:
    assert action.source_path is not None
    if is_parked(action.path) and await stat_or_none(where, action.path) is not None:
        return Outcome(index, action, ok=True, noop=True)  # parked before the crash
    before = await stat_or_none(where, action.source_path)
    after = await stat_or_none(where, action.path)
    if before is None and after is not None:
        return Outcome(index, action, ok=True, noop=True)
    if not same_entry(before, action.source):
        return Outcome(index, action, ok=True, noop=True, message="changed since plan")
    return None


async def _unpark_back(
    index: int, action: Action, where: Provider, hash_kind: str | None
) -> Outcome:
    """The parked file's new name is taken: back to its own name, else it stays parked."""
    assert action.source_path is not None and action.source is not None
    home = action.source.path
    try:
        await move_within(where, action.source_path, home, hash_kind)
    except AlreadyExistsError:
        kept = f"kept under the hidden name {action.source_path}"
    else:
        kept = f"moved back to {home}"
    message = f"{action.path}: taken since the plan; the file meant for it was {kept}."
    return Outcome(index, action, ok=False, message=message)
