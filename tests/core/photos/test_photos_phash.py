"""The pure-Python pHash: known answers (imagehash's on the same pixels: tests/native), and
the properties the near-duplicate search relies on."""

from __future__ import annotations

import math
import random

import pytest

from syncoxide.photos.near_duplicates import DEFAULT_MAX_DISTANCE
from syncoxide.photos.phash import SIDE, grey_of_rgba, phash_of_grey


def waves(a: float, b: float) -> list[int]:
    """Smooth grey pixels with no symmetry (a symmetric picture leaves DCT terms at zero,
    and then float noise, not the picture, decides their bits)."""
    return [int(128 + 60 * math.sin(a * x + 0.11 * y) + 50 * math.cos(b * y - 0.006 * x * x))
            for y in range(SIDE) for x in range(SIDE)]  # fmt: skip


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(0.37, 0.23, "dad0e22d352d352d"), (0.19, 0.41, "eacacadaea251525"),
     (0.53, 0.07, "ceec29e329e32962")],
)  # fmt: skip
def test_known_answers_from_imagehash(a: float, b: float, expected: str) -> None:
    # What imagehash 4.3.2 answers for the same pixels (Image.frombytes("L", (32, 32), ...)).
    assert phash_of_grey(waves(a, b)) == expected


def test_a_slightly_changed_picture_stays_near_and_another_is_far() -> None:
    rng = random.Random(7)
    base = [rng.randrange(256) for _ in range(SIDE * SIDE)]
    smooth = [
        sum(base[(i + d) % len(base)] for d in (0, 1, SIDE, SIDE + 1)) // 4
        for i in range(len(base))
    ]
    noisy = [min(255, max(0, p + rng.randrange(-6, 7))) for p in smooth]
    other = list(reversed(smooth))
    assert distance(phash_of_grey(smooth), phash_of_grey(noisy)) <= DEFAULT_MAX_DISTANCE
    assert distance(phash_of_grey(smooth), phash_of_grey(other)) > DEFAULT_MAX_DISTANCE


def test_grey_is_pillows_arithmetic() -> None:
    assert grey_of_rgba(bytes([255, 255, 255, 255, 0, 0, 0, 0, 255, 0, 0, 9])) == [255, 0, 76]
    assert grey_of_rgba(bytes([0, 255, 0, 1, 0, 0, 255, 1])) == [150, 29]


@pytest.mark.parametrize("size", [0, SIDE * SIDE - 1, SIDE * SIDE + 1])
def test_wrong_pixel_counts_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="32x32"):
        phash_of_grey([0] * size)
    with pytest.raises(ValueError, match="RGBA"):
        grey_of_rgba(b"\x00" * 5)
