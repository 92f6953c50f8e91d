"""Property: the near-duplicate search finds exactly the pairs that comparing every pair finds
(syncoxide/photos/near_duplicates.py). Beside the core's other properties on CPython: the core's
own tests also run inside Pyodide, which has no hypothesis."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.photos.near_duplicates import near_pairs


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
