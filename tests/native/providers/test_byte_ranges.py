"""The Range header the HTTP providers send for open_read(path, offset, length)."""

from __future__ import annotations

import pytest

from syncoxide.native.providers.byte_ranges import range_headers


@pytest.mark.parametrize(
    ("offset", "length", "expected"),
    [
        (0, None, {}),
        (5, None, {"Range": "bytes=5-"}),
        (0, 10, {"Range": "bytes=0-9"}),
        (100, 1, {"Range": "bytes=100-100"}),
    ],
)
def test_range_headers(offset: int, length: int | None, expected: dict[str, str]) -> None:
    assert range_headers(offset, length) == expected
