"""Deriving the bisync state to save from the listings and what the run actually did.

The state comes from the plan's view of both sides updated by each committed action, not from
a fresh listing: a file someone edits while the run is going must look changed next time, and a
re-listing would record the edit as if it had already been synced.
"""

from __future__ import annotations

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.listing import Listing
from syncoxide.sync.paths import match_key
from syncoxide.sync.plan import Action, ActionKind, Side, is_parked
from syncoxide.sync.state import PairState, encode_state, state_after

from .outcome import Outcome
from .pair_store import PairStore


class _SideView:
    def __init__(self, listing: Listing) -> None:
        self.files: dict[str, Entry] = dict(listing.files)
        self.dirs: set[str] = set(listing.dirs)


def _apply(views: dict[Side, _SideView], outcome: Outcome, sensitive: bool) -> None:
    action = outcome.action
    view = views[action.side]
    key = match_key(action.path, case_sensitive=sensitive)
    if action.kind in (ActionKind.COPY, ActionKind.TOUCH):
        written = outcome.written
        if written is None and action.source is not None:
            written = action.source
        if written is not None:
            view.files[key] = Entry(
                action.path, EntryKind.FILE, written.size, written.mtime_ns, written.hashes
            )
        if action.delete_source:
            views[action.side.other].files.pop(action.key, None)
    elif action.kind in (ActionKind.TRASH, ActionKind.DELETE):
        view.files.pop(action.key, None)
    elif action.kind is ActionKind.RENAME and action.source is not None:
        _apply_rename(view, action, sensitive)
    elif action.kind is ActionKind.MKDIR:
        view.dirs.add(key)
    elif action.kind is ActionKind.RMDIR and not outcome.message:
        view.dirs.discard(key)


def _apply_rename(view: _SideView, action: Action, sensitive: bool) -> None:
    assert action.source_path is not None and action.source is not None
    # A move chain's parked name is no file of the pair: it is left out of the state.
    if not is_parked(action.source_path):
        view.files.pop(match_key(action.source_path, case_sensitive=sensitive), None)
    source = action.source  # the same bytes under the new name: its digests still hold
    if not is_parked(action.path):
        key = match_key(action.path, case_sensitive=sensitive)
        view.files[key] = Entry(
            action.path, EntryKind.FILE, source.size, source.mtime_ns, source.hashes
        )


def _keys_touched(outcome: Outcome, sensitive: bool) -> set[str]:
    """A failed rename leaves both names as they were: both keep their old records."""
    action = outcome.action
    keys = {action.key}
    if action.kind is ActionKind.RENAME and action.source_path is not None:
        keys.add(match_key(action.source_path, case_sensitive=sensitive))
    return keys


async def save_bisync_state(
    store: PairStore,
    old: PairState,
    first: Listing,
    second: Listing,
    *,
    outcomes: list[Outcome],
    sensitive: bool,
) -> None:
    views = {Side.PATH1: _SideView(first), Side.PATH2: _SideView(second)}
    # A name clash left its key out of this run: like a failure, it keeps its old record.
    failed: set[str] = set(first.clashes) | set(second.clashes)
    for outcome in outcomes:
        if outcome.ok and not outcome.message:
            _apply(views, outcome, sensitive)
        elif not outcome.ok:
            failed |= _keys_touched(outcome, sensitive)
    one, two = views[Side.PATH1], views[Side.PATH2]
    new = state_after(old, one.files, two.files, dirs_both=one.dirs & two.dirs, failed_keys=failed)
    blob = encode_state(new)
    if blob != await store.load_state():
        await store.save_state(blob)
