"""Sizes and speeds as people read them: one convention everywhere, decimal SI units.

1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes, as browsers' download lists, macOS and GNOME show
them and as network speeds are quoted, so a size and a speed next to each other agree
("12.5 MB at 25.0 MB/s"). The CLI, the server's pages and the browser app all format through
here; binary units (KiB, MiB) stay in code comments and docs that speak of buffer sizes.
"""

from __future__ import annotations

_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def format_bytes(count: int | float) -> str:
    """``0 B``, ``999 B``, ``1.0 kB``, ``12.5 MB``, ``3.2 TB``; a negative count keeps its sign."""
    sign = "-" if count < 0 else ""
    size = float(abs(count))
    for unit in _UNITS:
        if size < 999.95 or unit == _UNITS[-1]:
            return f"{sign}{size:.0f} {unit}" if unit == "B" else f"{sign}{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def format_rate(bytes_per_second: float) -> str:
    """A transfer speed: ``25.0 MB/s``."""
    return f"{format_bytes(bytes_per_second)}/s"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 file``, ``3 files``, ``0 files``: never ``file(s)``."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
