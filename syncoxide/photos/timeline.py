"""Group photos by the day they were taken (newest first), and by the folder they are in.

A photo's date is its EXIF capture time where it has one, else its file time; ``taken`` is an
ISO 8601 string (``2026-12-06T10:00:00``), so order is plain string order and the day is its
first ten characters. Photos of one day are newest first, ties by path.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

EXIF, FILE_TIME = "exif", "file"


@dataclass(frozen=True)
class Photo:
    source: str  # "home" for the server storage, else a connection's name
    path: str
    taken: str  # ISO 8601, second precision
    taken_from: str  # EXIF or FILE_TIME
    width: int
    height: int
    size: int
    content_hash: str  # SHA-256 of the bytes: equal hashes are exact duplicates
    phash: str  # 16 hex digits (64-bit perceptual hash); "" when it could not be made

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""


def file_time(mtime_ns: int) -> str:
    """A file time (ns since the epoch) as a ``taken`` value: UTC, second precision."""
    moment = dt.datetime.fromtimestamp(mtime_ns / 1e9, dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Day:
    date: str  # YYYY-MM-DD
    photos: list[Photo]


def timeline(photos: list[Photo]) -> list[Day]:
    by_day: dict[str, list[Photo]] = defaultdict(list)
    for photo in photos:
        by_day[photo.taken[:10]].append(photo)
    return [Day(date, _newest_first(by_day[date])) for date in sorted(by_day, reverse=True)]


def _newest_first(photos: list[Photo]) -> list[Photo]:
    by_path = sorted(photos, key=lambda p: (p.source, p.path))
    return sorted(by_path, key=lambda p: p.taken, reverse=True)  # stable: ties keep path order


def albums_by_folder(photos: list[Photo]) -> dict[str, int]:
    """How many photos each folder holds, folders in name order (``""`` is the top)."""
    counts: dict[str, int] = defaultdict(int)
    for photo in photos:
        counts[f"{photo.source}:{photo.folder}"] += 1
    return dict(sorted(counts.items()))


def exact_duplicates(photos: list[Photo]) -> list[list[Photo]]:
    """Groups of photos with the same bytes (two or more), largest group first."""
    by_hash: dict[str, list[Photo]] = defaultdict(list)
    for photo in photos:
        if photo.content_hash:
            by_hash[photo.content_hash].append(photo)
    groups = [sorted(g, key=lambda p: (p.source, p.path)) for g in by_hash.values() if len(g) > 1]
    return sorted(groups, key=lambda g: (-len(g), g[0].path))
