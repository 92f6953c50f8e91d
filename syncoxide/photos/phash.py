"""The perceptual hash (pHash) of a 32x32 grey picture, in pure Python, as imagehash makes it.

imagehash's ``phash`` greys the image, shrinks it to 32x32, takes the 2-D DCT-II (scipy's,
unnormalised), keeps the 8x8 lowest frequencies and sets a bit where a coefficient is above
their median, row by row, the first bit the highest. The browser has neither numpy nor
scipy, so this computes only those 64 coefficients (8,192 + 2,048 multiplications, under
1 ms on CPython): given the same 32x32 grey pixels the two hashes are equal
(tests/native/test_phash_matches_imagehash.py). In the page the pixels come from the
browser's own scaler, so a device photo's hash may be a few bits from the server's for the
same picture: well inside the near-duplicate threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SIDE = 32
LOW = 8
#: DCT-II basis, scipy's scale: COSINES[k][n] = 2 cos(pi k (2n + 1) / 2N), for k < LOW.
COSINES = [[2 * math.cos(math.pi * k * (2 * n + 1) / (2 * SIDE)) for n in range(SIDE)]
           for k in range(LOW)]  # fmt: skip


def grey_of_rgba(rgba: bytes | bytearray | memoryview) -> list[int]:
    """Grey levels of RGBA pixels, by Pillow's own ``convert("L")`` arithmetic (ITU-R 601-2)."""
    if len(rgba) % 4:
        raise ValueError(f"{len(rgba)} bytes are not whole RGBA pixels")
    data = bytes(rgba)
    return [(data[i] * 19595 + data[i + 1] * 38470 + data[i + 2] * 7471 + 0x8000) >> 16
            for i in range(0, len(data), 4)]  # fmt: skip


def phash_of_grey(pixels: Sequence[int]) -> str:
    """The 64-bit pHash (16 hex digits) of 32x32 grey pixels given row by row."""
    if len(pixels) != SIDE * SIDE:
        raise ValueError(f"a pHash needs {SIDE}x{SIDE} pixels, not {len(pixels)}")
    # Along each row first (axis 1 in scipy's terms), keeping only the low frequencies...
    rows = [
        [math.fsum(c * p for c, p in zip(basis, pixels[y * SIDE : (y + 1) * SIDE], strict=True))
         for basis in COSINES]
        for y in range(SIDE)
    ]  # fmt: skip
    # ...then down the columns: low[u][v] is the coefficient at frequency (u down, v across).
    low = [[math.fsum(basis[y] * rows[y][v] for y in range(SIDE)) for v in range(LOW)]
           for basis in COSINES]  # fmt: skip
    flat = [value for row in low for value in row]
    ordered = sorted(flat)
    median = (ordered[31] + ordered[32]) / 2
    bits = 0
    for value in flat:
        bits = bits << 1 | (value > median)
    return f"{bits:016x}"
