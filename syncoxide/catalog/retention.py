"""How long old versions and trashed files are kept: pure decisions over timestamps.

Versions are thinned the way Nextcloud thins them (its users know the schedule): the newer a
version, the closer together the ones kept. Walking from the newest, a version is kept only if
it is at least one *step* older than the last one kept, where the step grows with its age::

    age        < 10 s   < 1 min   < 1 h    < 1 day   < max age   >= max age
    step         2 s     10 s     1 min     1 h       1 day       (dropped)

A version marked keep-forever is never dropped and counts as kept. Trash is simpler: an item
goes when it is older than the trash's max age, unless marked keep-forever. Both can also be
capped at a number of bytes (a share of the user's quota): the oldest go first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DAY = 86_400
_BANDS = ((10, 2), (60, 10), (3600, 60), (DAY, 3600))


@dataclass(frozen=True)
class RetentionPolicy:
    version_max_age: int = 30 * DAY
    trash_max_age: int = 30 * DAY
    #: Versions and trash together may hold at most this share of the user's quota.
    quota_share: float = 0.5


@dataclass(frozen=True)
class Kept:
    """One old version or trashed item as retention sees it (``kept_at`` in Unix seconds)."""

    id: int
    kept_at: int
    size: int = 0
    keep_forever: bool = False


def _step(age: int) -> int:
    for limit, step in _BANDS:
        if age < limit:
            return step
    return DAY


def versions_to_drop(versions: Sequence[Kept], now: int, policy: RetentionPolicy) -> set[int]:
    """Ids of the versions of one file that retention removes at ``now``."""
    dropped: set[int] = set()
    last_kept: int | None = None
    for version in sorted(versions, key=lambda v: (-v.kept_at, -v.id)):
        age = now - version.kept_at
        if version.keep_forever:
            last_kept = version.kept_at
            continue
        too_old = age > policy.version_max_age
        too_close = last_kept is not None and last_kept - version.kept_at < _step(age)
        if too_old or too_close:
            dropped.add(version.id)
        else:
            last_kept = version.kept_at
    return dropped


def trash_to_purge(items: Sequence[Kept], now: int, policy: RetentionPolicy) -> set[int]:
    return {
        item.id
        for item in items
        if not item.keep_forever and now - item.kept_at > policy.trash_max_age
    }


def over_cap(items: Sequence[Kept], cap_bytes: int) -> set[int]:
    """Oldest first, the items to drop so the rest hold at most ``cap_bytes``."""
    total = sum(item.size for item in items)
    dropped: set[int] = set()
    for item in sorted(items, key=lambda i: (i.kept_at, i.id)):
        if total <= cap_bytes:
            break
        if not item.keep_forever:
            dropped.add(item.id)
            total -= item.size
    return dropped
