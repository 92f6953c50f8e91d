"""Which sources are being refreshed now, for ``GET /catalog/sources`` to say "refreshing".

One instance knows its own refreshes (a set in memory). With several instances (a bus and a
shared database), a refresh also holds a job lease on its source (storage/leases.py): every
instance reads the leases, so a refresh running on one shows on all of them; a refresh asked
of another instance meanwhile is not run twice; and the mark of an instance that died goes
when its lease lapses.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from syncoxide.server.storage.leases import JobLeases, run_leased

T = TypeVar("T")


class RefreshMarks:
    def __init__(self, leases: JobLeases | None) -> None:
        self.leases = leases
        self._here: set[tuple[int, str]] = set()  # (user id, source)

    async def run(
        self, user_id: int, source: str, work: Callable[[], Coroutine[Any, Any, T]]
    ) -> tuple[bool, T | None]:
        """(True, what ``work()`` gave) with the source marked as refreshing meanwhile;
        (False, None) when another instance is refreshing it."""
        self._here.add((user_id, source))
        try:
            if self.leases is None:
                return True, await work()
            return await run_leased(self.leases, _job(user_id, source), work)
        finally:
            self._here.discard((user_id, source))

    async def sources(self, user_id: int) -> set[str]:
        """The user's sources being refreshed now, here or (with leases) anywhere."""
        here = {source for user, source in self._here if user == user_id}
        if self.leases is None:
            return here
        prefix = _job(user_id, "")
        return here | {job[len(prefix) :] for job in await self.leases.held(prefix)}


def _job(user_id: int, source: str) -> str:
    """The lease of a refresh of one source (the source's name ends the job's name)."""
    return f"catalog-refresh:{user_id}:{source}"
