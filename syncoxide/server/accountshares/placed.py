"""The accepted shares placed in a user's places, read once for an API write and its change.

An API write asks about them twice: before it (``refused_write``: is the path inside a folder
shared read-only?) and after its commit (``storage_changed``: which shares must run now?). Both
run in the request's own task, so what the check read is kept in a context variable and handed
to the change; any other writer (a sync run, a tus upload's commit) reads afresh. A context
variable belongs to its task, so no other request ever sees the kept shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar

from syncoxide.server.accountshares.store import AccountShare, AccountShareStore

_READ_FOR_WRITE: ContextVar[tuple[int, Sequence[AccountShare]] | None] = ContextVar(
    "account_shares_read_for_write", default=None
)


def placed_before_write(store: AccountShareStore, user_id: int) -> Sequence[AccountShare]:
    """Read for the check before a write (a move checks two paths: one read), kept for it."""
    kept = _READ_FOR_WRITE.get()
    if kept is not None and kept[0] == user_id:
        return kept[1]
    shares = store.placed_for(user_id)
    _READ_FOR_WRITE.set((user_id, shares))
    return shares


def placed_after_change(store: AccountShareStore, user_id: int) -> Sequence[AccountShare]:
    """What this request's write check read, taken once; read afresh for any other change."""
    kept = _READ_FOR_WRITE.get()
    if kept is not None and kept[0] == user_id:
        _READ_FOR_WRITE.set(None)
        return kept[1]
    return store.placed_for(user_id)
