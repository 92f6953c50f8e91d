"""Whether files seen by polling have stopped changing, so nothing acts on a half-written one.

How it works: a poll gives, for one group of files (a watched folder), each file whose
fingerprint (size and time) differs from the one last acted on. A file seen with a new
fingerprint is *pending* from that moment; it has *settled* at a later look that finds the
same fingerprint at least ``quiet`` seconds after it was first seen so. Any change starts its
wait again. A writer that pauses for longer than ``quiet`` is taken as done: the window is a
bound on the pauses it tolerates, not a proof.

Pending files are held in memory, ``limit`` of them at most over all groups. A file that finds
no room is not remembered: it is still there at the next look and queues again, so memory
stays bounded and an arrival is only delayed, never lost. Files already waiting are checked
before new ones are let in, so those that settle make room within the same look.

Pure: times are given, as in ``watch.Debounce``. What waits is held in memory only; a caller
that keeps it (``pending``) can hand it back after a restart (``resume``), so a file unchanged
meanwhile settles when its first window ends rather than waiting a whole window again. Times
must then come from a clock that means the same after a restart (the wall clock).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

Group = TypeVar("Group", bound=Hashable)

#: Files pending at once (measured: about 230 bytes each with a 30-character name, so 4.6 MB
#: when full).
PENDING_LIMIT = 20_000


class Settling(Generic[Group]):
    def __init__(self, quiet: float, limit: int = PENDING_LIMIT) -> None:
        self.quiet = quiet
        self.limit = limit
        self._pending: dict[Group, dict[str, tuple[str, float]]] = {}
        self._crowded: dict[Group, float] = {}  # groups that left files out for want of room
        self._count = 0

    def look(self, group: Group, changed: Mapping[str, str], now: float) -> list[str]:
        """The names of ``changed`` (name -> fingerprint) that have settled; the others wait.
        Names of the group missing from ``changed`` are forgotten."""
        if self.quiet <= 0:
            return list(changed)
        before = self._pending.pop(group, {})
        self._count -= len(before)
        self._crowded.pop(group, None)
        waiting, settled = self._still_waiting(before, changed, now)
        for name, fingerprint in changed.items():
            if name in waiting or name in settled:
                continue
            if self._count + len(waiting) >= self.limit:
                self._crowded[group] = now
                break
            waiting[name] = (fingerprint, now)
        if waiting:
            self._pending[group] = waiting
            self._count += len(waiting)
        return list(settled)

    def _still_waiting(
        self, before: dict[str, tuple[str, float]], changed: Mapping[str, str], now: float
    ) -> tuple[dict[str, tuple[str, float]], set[str]]:
        waiting: dict[str, tuple[str, float]] = {}
        settled: set[str] = set()
        for name, (fingerprint, since) in before.items():
            if changed.get(name) != fingerprint:
                continue  # gone, or changed again: let in anew below
            if now - since >= self.quiet:
                settled.add(name)
            else:
                waiting[name] = (fingerprint, since)
        return waiting, settled

    def resume(self, group: Group, kept: Mapping[str, tuple[str, float]]) -> None:
        """Wait again on files ``pending`` gave before a restart (name -> (fingerprint, first
        seen so)), unless the group already waits on them; within the limit like any other."""
        waiting = self._pending.setdefault(group, {})
        for name, (fingerprint, since) in kept.items():
            if self._count >= self.limit:
                self._crowded[group] = since
                break
            if name not in waiting:
                waiting[name] = (fingerprint, since)
                self._count += 1
        if not waiting:
            del self._pending[group]

    def pending(self, group: Group) -> dict[str, tuple[str, float]]:
        """What the group waits on (name -> (fingerprint, first seen so)), to keep it."""
        return dict(self._pending.get(group, {}))

    def due(self, group: Group) -> float | None:
        """When the group should be looked at again to settle what waits (None: nothing)."""
        times = [since + self.quiet for _, since in self._pending.get(group, {}).values()]
        if group in self._crowded:
            times.append(self._crowded[group] + self.quiet)
        return min(times, default=None)

    def waiting(self, group: Group) -> int:
        return len(self._pending.get(group, {}))

    def forget(self, group: Group) -> None:
        """Drop what waits in ``group`` (its files need no wait any more)."""
        self._count -= len(self._pending.pop(group, {}))
        self._crowded.pop(group, None)

    def keep_groups(self, groups: set[Group]) -> None:
        """Forget every group not in ``groups`` (rules removed)."""
        for group in [g for g in self._pending if g not in groups]:
            self._count -= len(self._pending.pop(group))
        self._crowded = {g: t for g, t in self._crowded.items() if g in groups}

    def __len__(self) -> int:
        return self._count
