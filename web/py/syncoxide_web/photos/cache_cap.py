"""The size cap of the device-photo cache: which entries to drop, least recently shown first.

Pure Python (no ``js``), so it is tested under CPython. An entry's size is its thumbnail plus a
fixed allowance for its facts; its last use is the last visit that showed it (``photo_cache``
keeps those times apart from the entries, so marking a visit rewrites no thumbnail). Entries
shown in one visit are equally recent; their keys (folder, then path) break the tie, so the
same ones go each time. A photo dropped is read again the next time it is shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

#: 200 MB holds about 8,000 320-pixel JPEG thumbnails (about 25 KB each).
CAP_BYTES = 200_000_000
#: The facts beside a thumbnail (dates, sizes, hashes, the key), roughly, in bytes.
FACTS_BYTES = 300


@dataclass(frozen=True)
class CapPlan:
    used: dict[str, int]  # when each kept entry was last shown (ms since the epoch)
    evict: list[str]  # the entries to drop, least recently shown first


def plan_cap(
    sizes: Mapping[str, int],
    used: Mapping[str, int],
    *,
    shown: Collection[str],
    now_ms: int,
    cap: int = CAP_BYTES,
) -> CapPlan:
    """Mark ``shown`` as used at ``now_ms``, then drop entries (an entry with no recorded use
    first) until the rest of ``sizes`` fit in ``cap`` bytes."""
    times = {key: now_ms if key in shown else used.get(key, 0) for key in sizes}
    total = sum(sizes.values())
    evict = []
    for key in sorted(times, key=lambda k: (times[k], k)):
        if total <= cap:
            break
        evict.append(key)
        total -= sizes[key]
        del times[key]
    return CapPlan(times, evict)
