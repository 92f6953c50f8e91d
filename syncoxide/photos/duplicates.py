"""Duplicates among photos of any sources: the same bytes first, then pictures that look alike.

The server's ``/photos/duplicates`` and the browser's Photos view (which adds this device's
folders to the server's photos) both call ``duplicate_groups``, so they agree on what a
duplicate is. A photo already in an exact group is left out of the look-alike search: its
twin stands for it there.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.photos.near_duplicates import DEFAULT_MAX_DISTANCE, groups_of, near_pairs
from syncoxide.photos.timeline import Photo, exact_duplicates


@dataclass(frozen=True)
class DuplicateGroups:
    exact: list[list[Photo]]  # same bytes, two or more photos each
    near: list[list[Photo]]  # perceptual hashes at most max_distance bits apart


def duplicate_groups(
    photos: list[Photo], max_distance: int = DEFAULT_MAX_DISTANCE
) -> DuplicateGroups:
    exact = exact_duplicates(photos)
    twins = {(p.source, p.path) for group in exact for p in group[1:]}
    hashed = [p for p in photos if p.phash and (p.source, p.path) not in twins]
    pairs = near_pairs([int(p.phash, 16) for p in hashed], max_distance)
    return DuplicateGroups(exact, [[hashed[i] for i in group] for group in groups_of(pairs)])
