"""Retention: which archives a prune keeps, as borg 1.2 decides it.

Borg does the real pruning (``borg prune`` with the flags :meth:`RetentionPolicy.borg_args`
gives it). :func:`plan_prune` repeats borg's rule so the app and ``--dry-run`` can show what a
policy would keep before anything is deleted; a test prunes a real repository and checks that
borg kept exactly what the plan said.

Borg's rule (``borg/helpers/misc.py``, ``prune_split``): walking archives newest first, each
rule keeps the first archive of each period (day, ISO week, month...) not already kept by an
earlier rule, up to its count; if it runs out of archives first, it also keeps the oldest one.
``within`` keeps everything younger than the given duration and runs first. Checkpoint
archives (``NAME.checkpoint``, left by an interrupted backup) are never kept, except the
newest one when no finished archive is newer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Protocol

from syncoxide.backup.periods import PERIODS
from syncoxide.errors import UsageError

_CHECKPOINT = re.compile(r"\.checkpoint(\.\d+)?$")
_WITHIN = re.compile(r"^(\d+)([HdwmyM]?)$")
_WITHIN_HOURS = {"H": 1, "d": 24, "w": 24 * 7, "m": 24 * 31, "y": 24 * 365}


@dataclass(frozen=True)
class RetentionPolicy:
    within: str = ""  # borg's spelling: 12H, 7d, 4w, 6m, 1y
    secondly: int = 0
    minutely: int = 0
    hourly: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0
    yearly: int = 0

    def __post_init__(self) -> None:
        if self.within and not _WITHIN.match(self.within):
            raise UsageError(
                f"'{self.within}' is not a duration borg understands.",
                hint="Write a number and a unit: 12H, 7d, 4w, 6m or 1y.",
            )
        for rule in PERIODS:
            if getattr(self, rule) < 0:
                raise UsageError(f"keep-{rule} cannot be negative.")

    @property
    def empty(self) -> bool:
        return not self.within and not any(getattr(self, rule) for rule in PERIODS)

    def borg_args(self) -> list[str]:
        """``--keep-daily 7 --keep-weekly 4 ...``; an empty policy is refused, as borg does."""
        if self.empty:
            raise UsageError(
                "A prune needs at least one rule, or it would delete every archive.",
                hint="Give for example --keep-daily 7 --keep-weekly 4 --keep-monthly 6.",
            )
        args = ["--keep-within", self.within] if self.within else []
        for rule in PERIODS:
            if getattr(self, rule):
                args += [f"--keep-{rule}", str(getattr(self, rule))]
        return args

    def as_dict(self) -> dict[str, int | str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


class Stamped(Protocol):
    """Anything with an archive's name and start time (``listing.ArchiveSummary`` too)."""

    @property
    def name(self) -> str: ...
    @property
    def time(self) -> datetime: ...


@dataclass(frozen=True)
class ArchiveStamp:
    """What prune looks at: an archive's name and its start time (borg's local time)."""

    name: str
    time: datetime


@dataclass(frozen=True)
class PrunePlan:
    keep: dict[str, str]  # archive name -> the rule that keeps it ("daily #2")
    delete: list[str]  # newest first


def within_hours(within: str) -> int:
    match = _WITHIN.match(within)
    if not match:
        raise UsageError(f"'{within}' is not a duration borg understands.")
    return int(match.group(1)) * _WITHIN_HOURS.get(match.group(2) or "H", 1)


def plan_prune(archives: Sequence[Stamped], policy: RetentionPolicy, now: datetime) -> PrunePlan:
    """What ``borg prune`` with ``policy`` keeps and deletes among ``archives`` at ``now``."""
    newest_first = sorted(archives, key=lambda a: a.time, reverse=True)
    checkpoints = [a for a in newest_first if _CHECKPOINT.search(a.name)]
    finished = [a for a in newest_first if not _CHECKPOINT.search(a.name)]
    kept: dict[str, str] = {}
    if newest_first and checkpoints and newest_first[0] is checkpoints[0]:
        kept[checkpoints[0].name] = "newest checkpoint"
    if policy.within:
        cutoff = now - timedelta(hours=within_hours(policy.within))
        for count, archive in enumerate((a for a in finished if a.time > cutoff), 1):
            kept[archive.name] = f"within #{count}"
    for rule, pattern in PERIODS.items():
        _keep_one_per_period(finished, rule, pattern, count=getattr(policy, rule), kept=kept)
    return PrunePlan(kept, [a.name for a in newest_first if a.name not in kept])


def _keep_one_per_period(
    newest_first: list[Stamped], rule: str, pattern: str, *, count: int, kept: dict[str, str]
) -> None:
    if count == 0:
        return
    last_period = None
    taken = 0
    for archive in newest_first:
        period = archive.time.strftime(pattern)
        if period == last_period:
            continue
        last_period = period
        if archive.name not in kept:
            taken += 1
            kept[archive.name] = f"{rule} #{taken}"
            if taken == count:
                return
    oldest = newest_first[-1] if newest_first else None
    if oldest is not None and oldest.name not in kept:
        kept[oldest.name] = f"{rule}[oldest] #{taken + 1}"
