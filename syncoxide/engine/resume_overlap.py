"""A rerun reads the fresh listing while it finishes the interrupted run's plain copies.

A run that finds a journal first finishes what it owes, then lists both sides to plan afresh.
When everything it owes is a plain copy into the destination (a one-way run's COPY: no move
chain, no backup to the trash, no deletion of the source), finishing it changes no source
entry and no destination path but the ones it copies to. So both trees are read while the
copies run, and each copy's result is folded into the destination's entries afterwards:

- a copy that committed: its path takes the entry the copy wrote (the listing may have seen
  the path before, during or after the commit; the written entry is what is there now);
- a copy that failed, or was skipped on its re-check without saying what is there: its path
  is looked at again (one stat), since the listing may have caught it at any moment;
- every other path is as a listing taken after the copies would show it (a third party's
  change made meanwhile can be missed by either; the next run sees it).

Measured on a 512 MiB file to `rclone serve s3`, killed at 50% (bench/sync_big_file_s3.py):
the listing after the copies took 2.05 s, 1.37 s of it the server computing the MD5 of the
object just completed; read beside the copies it costs no wall time and finds no such object.

Failures keep the serial order's guarantees. The listing writes nothing, so the journal is
exactly what the copies alone leave it: a kill at any moment resumes as before. A resume
that fails stops the listing and raises as it did. A listing (or a fold's stat) that fails
is dropped, and the trees are read again once the copies are done, as before this overlap:
the destination changing under it is a reason a listing taken meanwhile may fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide.providers.contract import Entry, Provider
from syncoxide.sync.plan import Action, ActionKind, Mode, Side
from syncoxide.wal.replay import JournalReplay

from .outcome import Outcome, stat_or_none
from .pair_listing import Trees

#: Stats of failed copies' paths at once (only failed or skipped copies need one).
_STAT_WIDTH = 16


def is_plain_copy(action: Action) -> bool:
    """A copy into the destination that touches nothing but its own path there."""
    return (
        action.kind is ActionKind.COPY
        and action.side is Side.PATH2
        and not action.chain
        and not action.backup
        and not action.delete_source
    )


def lists_beside_resume(replay: JournalReplay, mode: Mode) -> bool:
    """Whether this run may read its listing while it resumes ``replay``: a one-way run
    whose journal owes plain copies only."""
    if mode not in (Mode.COPY, Mode.SYNC) or not replay.needs_resume:
        return False
    return all(is_plain_copy(action) for _, action in replay.pending())


async def resume_beside_listing(
    resume: Coroutine[Any, Any, list[Outcome]],
    read: Callable[[], Awaitable[Trees]],
    dest: Provider,
) -> tuple[list[Outcome], Trees | None]:
    """The resumed copies' outcomes, and the trees read while they ran with their results
    folded in; None for the trees when that listing failed (the caller lists again)."""
    listing = asyncio.ensure_future(read())
    try:
        resumed = await resume
    except BaseException:
        listing.cancel()
        await _settled(listing)  # never left running; its own error is moot beside this one
        raise
    failed = await _settled(listing)
    if failed is not None and not isinstance(failed, (Exception, asyncio.CancelledError)):
        raise failed  # an interrupt that reached the listing is the run's, not a failed read
    if failed is not None:
        return resumed, None
    try:
        return resumed, await fold_resumed(listing.result(), resumed, dest)
    except Exception:  # a stat that failed: the listing after the copies will say why
        return resumed, None


async def _settled(task: asyncio.Future[Trees]) -> BaseException | None:
    """Waits for ``task`` without raising: its error (or cancellation), None if it listed."""
    await asyncio.wait([task])
    if task.cancelled():
        return asyncio.CancelledError()
    return task.exception()


async def fold_resumed(trees: Trees, resumed: list[Outcome], dest: Provider) -> Trees:
    """``trees`` with each resumed copy's destination path as it is now."""
    now: dict[str, Entry | None] = {}
    unsure: list[str] = []
    for outcome in resumed:
        path = outcome.action.path
        if outcome.ok and outcome.written is not None:
            now[path] = replace(outcome.written, path=path)
        else:
            unsure.append(path)
    slots = asyncio.Semaphore(_STAT_WIDTH)

    async def look(path: str) -> None:
        async with slots:
            now[path] = await stat_or_none(dest, path)

    await asyncio.gather(*(look(path) for path in unsure))
    kept = [entry for entry in trees.two if entry.path not in now]
    found = [entry for entry in now.values() if entry is not None]
    return replace(trees, two=kept + found)


def note_resumed(error: SyncoxideError, resumed: list[Outcome]) -> None:
    """Says in ``error`` that the interrupted run's actions were finished before it: a run
    that stops while listing has then changed files, whatever the error says of itself."""
    if not resumed:
        return
    done = sum(1 for outcome in resumed if outcome.ok)
    error.message = (
        f"The interrupted run was finished first ({done} of {len(resumed)} of its actions "
        f"done, verified and in place; the others are planned again next run); then: "
        f"{error.message}"
    )
