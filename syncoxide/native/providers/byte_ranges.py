"""The HTTP ``Range`` header for the contract's ``open_read(path, offset, length)``."""

from __future__ import annotations


def range_headers(offset: int, length: int | None) -> dict[str, str]:
    """``{}`` for the whole file, else ``Range: bytes=offset-[last]`` (HTTP ranges are
    inclusive, so the last byte is ``offset + length - 1``; open-ended when length is None)."""
    if not offset and length is None:
        return {}
    end = "" if length is None else str(offset + length - 1)
    return {"Range": f"bytes={offset}-{end}"}
