"""One user's byte limit, shared by the stores that count against it.

A user's share links, request arrivals and own files all draw on one quota: each service
counts what it holds itself and asks ``used_elsewhere`` for the rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

UsedElsewhere = Callable[[int], Awaitable[int]]


async def nothing_elsewhere(user_id: int) -> int:
    return 0


@dataclass(frozen=True)
class Quota:
    limit_bytes: int | None = None  # per user; None: no limit
    used_elsewhere: UsedElsewhere = nothing_elsewhere  # what the user's other stores hold

    async def room(self, user_id: int, used_here: int) -> int | None:
        """How many more bytes the user may store, or None without a limit."""
        if self.limit_bytes is None:
            return None
        used = used_here + await self.used_elsewhere(user_id)
        return max(self.limit_bytes - used, 0)


NO_QUOTA = Quota()
