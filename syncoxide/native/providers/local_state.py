"""Providers that keep a little state on this machine between runs (a cache, open uploads).

The CLI gives each such provider a folder inside the pair's state folder, so what one pair's
runs learned never leaks into another pair's, and deleting the state folder forgets it all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class KeepsLocalState(Protocol):
    def keep_state_in(self, folder: Path) -> None:
        """Use ``folder`` (created if missing) for state that outlives this process."""
        ...


def give_local_state(providers: tuple[object, ...], pair_folder: Path) -> None:
    for provider in providers:
        if isinstance(provider, KeepsLocalState):
            root_id = str(getattr(provider, "root_id", ""))
            name = hashlib.sha256(root_id.encode()).hexdigest()[:16]
            provider.keep_state_in(pair_folder / f"remote-{name}")
