"""Moving a file within one provider: server-side when it can, else copy + verify + delete.

Renames found by the planner and trash moves both come here. ``Features.server_side_move``
picks ``Provider.move`` (no bytes travel); without it a provider with ``server_side_copy``
duplicates the file itself and we check the copy's size before deleting the original;
otherwise the bytes stream through us, hash-verified like any copy. In every case the
original is deleted only after the new name holds the whole file, so a crash between the two
leaves both, never neither.
"""

from __future__ import annotations

from syncoxide.errors import AlreadyExistsError, IntegrityError, NotFoundError
from syncoxide.providers.contract import CopiesWithin, Provider

from .transfer import copy_verified


async def move_within(where: Provider, source: str, target: str, hash_kind: str | None) -> None:
    """Move ``source`` to ``target``; ``AlreadyExistsError`` if ``target`` exists."""
    if where.features.server_side_move:
        await where.move(source, target)
        return
    await _refuse_existing(where, target)
    entry = await where.stat(source)
    if where.features.server_side_copy and isinstance(where, CopiesWithin):
        await where.copy(source, target)
        copied = await where.stat(target)
        if copied.size != entry.size:
            raise IntegrityError(
                f"The server-side copy of {source!r} to {target!r} has {copied.size} bytes, "
                f"not {entry.size}.",
                hint="The original was kept; run again.",
            )
    else:
        await copy_verified(where, entry, where, target, kind=hash_kind)
    await where.delete(source)


async def _refuse_existing(where: Provider, target: str) -> None:
    try:
        await where.stat(target)
    except NotFoundError:
        return
    raise AlreadyExistsError(f"{target!r} already exists.")
