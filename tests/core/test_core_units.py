"""One size convention everywhere: decimal SI units."""

import pytest

from syncoxide.units import counted, format_bytes, format_rate


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (1536, "1.5 kB"),
        (999_949, "999.9 kB"),
        (999_950, "1.0 MB"),
        (12_500_000, "12.5 MB"),
        (3_200_000_000_000, "3.2 TB"),
        (5 * 10**18, "5000.0 PB"),
        (-2048, "-2.0 kB"),
    ],
)
def test_sizes_read_in_decimal_units(count: int, shown: str) -> None:
    assert format_bytes(count) == shown


def test_a_rate_is_a_size_per_second() -> None:
    assert format_rate(25_000_000) == "25.0 MB/s"
    assert format_rate(12.4) == "12 B/s"


def test_counts_read_as_words_never_as_file_s() -> None:
    assert counted(1, "file") == "1 file"
    assert counted(0, "file") == "0 files"
    assert counted(3, "folder") == "3 folders"
    assert counted(2, "entry", "entries") == "2 entries"
