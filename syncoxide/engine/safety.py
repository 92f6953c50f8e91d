"""Safety stops: plans that look like an accident are refused before anything changes.

Checked after planning and before the journal is written, in this order, each with its own
error (and exit code) and the flag that lets the run go on:

1. ``--max-delete N``: more than N files would be deleted or replaced (``SafetyLimitError``).
2. Empty side: a side lists no files while the pair state says it had some (bisync), or a
   mirror's source is empty while its destination is not. An unmounted disk or a provider login
   that lists nothing looks exactly like this; going on would trash everything on the other
   side. ``EmptySideError``; ``allow_empty_side`` goes on.
3. Delete share: more than ``max_delete_percent`` of a side's files would be deleted (default
   50%, as rclone's bisync ``--max-delete``). ``DeleteShareError``; a higher share or ``force``.
4. All changed: every file the pair state knew on a side changed (a clock or time-zone shift, a
   restore that touched everything). ``AllChangedError``; ``force`` goes on.

Shares mean little on a handful of files, so 3 and 4 apply from ``SHARE_MIN_FILES`` files on
the side; the empty-side stop applies at any size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from syncoxide.errors import AllChangedError, DeleteShareError, EmptySideError, SafetyLimitError
from syncoxide.providers.contract import Entry
from syncoxide.sync.listing import Listing, same_content
from syncoxide.sync.plan import ActionKind, Mode, Plan, Side
from syncoxide.sync.state import PairState

SHARE_MIN_FILES = 5
DEFAULT_MAX_DELETE_PERCENT = 50
_NOTHING_CHANGED = "Nothing was changed."


@dataclass(frozen=True)
class SafetyOptions:
    max_delete: int | None = None
    max_delete_percent: int = DEFAULT_MAX_DELETE_PERCENT
    allow_empty_side: bool = False
    force: bool = False


@dataclass(frozen=True)
class PairView:
    """What the checks look at: the plan, both listings and the state before the run."""

    mode: Mode
    plan: Plan
    sides: dict[Side, Listing]
    state: PairState
    tolerance_ns: int


def check_safety(view: PairView, options: SafetyOptions) -> None:
    """Raise the first safety stop this plan hits; return when it may run."""
    _check_max_delete(view.plan, options)
    if not options.allow_empty_side:
        _check_empty_side(view)
    if not options.force:
        _check_delete_share(view, options.max_delete_percent)
        if view.mode is Mode.BISYNC:
            _check_all_changed(view)


def _check_max_delete(plan: Plan, options: SafetyOptions) -> None:
    if options.max_delete is not None and plan.deletes > options.max_delete:
        raise SafetyLimitError(
            f"The plan would delete or replace {plan.deletes} files, more than --max-delete "
            f"{options.max_delete}.",
            hint=f"{_NOTHING_CHANGED} Check the paths (an empty or unmounted folder looks "
            "like everything was deleted), then raise --max-delete if this is intended.",
        )


def _check_empty_side(view: PairView) -> None:
    for side in (Side.PATH1, Side.PATH2):
        listing = view.sides[side]
        if listing.files or listing.clashes or listing.held or not _had_files(view, side):
            continue
        raise EmptySideError(
            f"{side.value} lists no files, but {_was_full(view, side)}.",
            hint=f"{_NOTHING_CHANGED} If a disk is not mounted or a login expired, fix that "
            "and run again. If the folder really was emptied on purpose, run again with "
            "--allow-empty-side (every deleted file goes to the pair's trash).",
        )


def _had_files(view: PairView, side: Side) -> bool:
    if view.mode is Mode.BISYNC:
        return bool(view.state.files)
    return side is Side.PATH1 and view.mode is Mode.SYNC and bool(view.sides[Side.PATH2].files)


def _was_full(view: PairView, side: Side) -> str:
    if view.mode is Mode.BISYNC:
        return f"the last run left {_files(len(view.state.files))} there"
    return f"the mirror would delete all {_files(len(view.sides[side.other].files))} of path2"


def _files(count: int) -> str:
    return "1 file" if count == 1 else f"{count} files"


def _check_delete_share(view: PairView, percent: int) -> None:
    removing = (ActionKind.TRASH, ActionKind.DELETE)
    deleted = Counter(a.side for a in view.plan.actions if a.kind in removing)
    for side, count in sorted(deleted.items(), key=lambda item: item[0].value):
        total = len(view.sides[side].files)
        if total < SHARE_MIN_FILES or count * 100 <= total * percent:
            continue
        raise DeleteShareError(
            f"The plan would delete {count} of the {total} files on {side.value} "
            f"({count * 100 // total}%), more than the {percent}% allowed.",
            hint=f"{_NOTHING_CHANGED} Check that the other side is complete. If the deletions "
            "are intended, run again with --max-delete-share PERCENT above that share, or "
            "--force.",
        )


def _check_all_changed(view: PairView) -> None:
    for side in (Side.PATH1, Side.PATH2):
        listing = view.sides[side]
        known = [
            (record.one if side is Side.PATH1 else record.two, listing.files.get(key))
            for key, record in view.state.files.items()
        ]
        if len(known) < SHARE_MIN_FILES:
            continue
        present = [(before, now) for before, now in known if now is not None]
        # A key recorded on one side only cannot happen; the state keeps pairs.
        if not present or any(_unchanged(before, now, view) for before, now in present):
            continue
        raise AllChangedError(
            f"Every one of the {len(present)} files on {side.value} changed since the last run.",
            hint=f"{_NOTHING_CHANGED} This is what a clock, time-zone or restore accident "
            "looks like, and going on would copy all of them over the other side (every "
            "replaced version goes to the trash). If it is intended, run again with --force.",
        )


def _unchanged(before: Entry, now: Entry, view: PairView) -> bool:
    return same_content(before, now, tolerance_ns=view.tolerance_ns, checksum=False)
