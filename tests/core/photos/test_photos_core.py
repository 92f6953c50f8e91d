from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.photos.near_duplicates import groups_of, near_pairs
from syncoxide.photos.timeline import EXIF, Photo, albums_by_folder, exact_duplicates, timeline


def photo(path: str, taken: str, content: str = "", phash: str = "") -> Photo:
    return Photo("home", path, taken, EXIF, 10, 10, 1, content or path, phash)


def test_the_timeline_is_by_day_newest_first() -> None:
    photos = [
        photo("b.jpg", "2026-05-01T09:00:00"),
        photo("a.jpg", "2026-05-01T09:00:00"),
        photo("c.jpg", "2026-05-01T18:30:00"),
        photo("old.jpg", "2019-12-31T23:59:59"),
        photo("new.jpg", "2026-12-06T08:00:00"),
    ]
    days = timeline(photos)
    assert [d.date for d in days] == ["2026-12-06", "2026-05-01", "2019-12-31"]
    assert [p.path for p in days[1].photos] == ["c.jpg", "a.jpg", "b.jpg"]


def test_folders_and_exact_duplicates() -> None:
    photos = [
        photo("trip/1.jpg", "2026-01-01T00:00:00", "h1"),
        photo("trip/copy.jpg", "2026-01-01T00:00:00", "h1"),
        photo("2.jpg", "2026-01-01T00:00:00", "h2"),
    ]
    assert albums_by_folder(photos) == {"home:": 1, "home:trip": 2}
    assert [[p.path for p in g] for g in exact_duplicates(photos)] == [
        ["trip/1.jpg", "trip/copy.jpg"]
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=40), st.integers(0, 12), st.randoms())
def test_near_pairs_match_comparing_every_pair(
    seeds: list[int], distance: int, rng: random.Random
) -> None:
    hashes = list(seeds)
    for value in seeds[:10]:  # near copies: a few bits flipped
        flipped = value
        for bit in rng.sample(range(64), rng.randint(0, 14)):
            flipped ^= 1 << bit
        hashes.append(flipped)
    expected = [
        (i, j, (hashes[i] ^ hashes[j]).bit_count())
        for i in range(len(hashes))
        for j in range(i + 1, len(hashes))
        if (hashes[i] ^ hashes[j]).bit_count() <= distance
    ]
    assert near_pairs(hashes, distance) == expected


def test_pairs_join_into_groups() -> None:
    assert groups_of([(0, 1, 2), (1, 5, 3), (7, 8, 0)]) == [[0, 1, 5], [7, 8]]
