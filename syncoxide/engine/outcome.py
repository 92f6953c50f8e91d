"""What one applied action did, and the stat helpers every action's re-check uses."""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import NotFoundError
from syncoxide.providers.contract import Entry, Provider
from syncoxide.sync.plan import Action


@dataclass
class Outcome:
    index: int
    action: Action
    ok: bool
    message: str = ""
    written: Entry | None = None
    #: True when the action changed nothing (already done, or skipped on re-check).
    noop: bool = False
    #: Bytes that actually travelled, when fewer than ``written.size``: a delta's changed
    #: blocks, or 0 when only the time was set or the file was already there.
    bytes_moved: int | None = None


async def stat_or_none(provider: Provider, path: str) -> Entry | None:
    try:
        return await provider.stat(path)
    except NotFoundError:
        return None


def same_entry(a: Entry | None, b: Entry | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.size == b.size and a.mtime_ns == b.mtime_ns
