"""Bisync conflict policies: who wins when both sides changed the same file."""

from __future__ import annotations

import enum

from syncoxide.providers.contract import Entry
from syncoxide.sync.plan import Side


class ConflictPolicy(enum.Enum):
    NEWER = "newer"
    OLDER = "older"
    LARGER = "larger"
    PATH1 = "path1"
    PATH2 = "path2"
    KEEP_BOTH = "keep-both"


def _newer(one: Entry, two: Entry) -> Side:
    # Ties go to path1 so a run is deterministic.
    return Side.PATH2 if two.mtime_ns > one.mtime_ns else Side.PATH1


def choose_winner(policy: ConflictPolicy, one: Entry, two: Entry) -> Side:
    """The side whose version ends up under the original name on both sides.

    For keep-both this is the newer version; the other is kept under a conflict name."""
    if policy is ConflictPolicy.PATH1:
        return Side.PATH1
    if policy is ConflictPolicy.PATH2:
        return Side.PATH2
    if policy is ConflictPolicy.OLDER:
        return Side.PATH2 if two.mtime_ns < one.mtime_ns else Side.PATH1
    if policy is ConflictPolicy.LARGER and one.size != two.size:
        return Side.PATH2 if two.size > one.size else Side.PATH1
    return _newer(one, two)
