"""Files another account shares with you, as the global view shows them.

An accepted account share lands a copy of the owner's folder in one of the recipient's places
(``home:Shared/<name>`` unless they chose another), and the recipient's index holds those files
like any other of theirs. What the index does not know is whose they are: this module marks
each entry inside such a place with the owner's name (``owner``) and ``shared``, for the
recipient's Shared view, search and listings. It reads only the recipient's own shares, so
nobody else's index is ever consulted and a third account finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from syncoxide.catalog.model import CatalogEntry, Location, parse_location
from syncoxide.errors import UsageError
from syncoxide.server.accountshares.service import AccountShareService, SharedWithMe
from syncoxide.server.storage.port import User


@dataclass(frozen=True)
class SharedPlace:
    place: Location
    owner: str
    received: SharedWithMe

    def holds(self, entry: CatalogEntry) -> bool:
        if entry.source != self.place.source:
            return False
        root = self.place.path
        return not root or entry.path == root or entry.path.startswith(root + "/")


async def shared_places(shares: AccountShareService, user: User) -> list[SharedPlace]:
    """Where ``user`` keeps copies of what other accounts share with them."""
    found: list[SharedPlace] = []
    for received in await shares.shared_with(user):
        try:
            place = parse_location(received.location)
        except UsageError:  # a deleted connection's place: nothing of it is indexed
            continue
        found.append(SharedPlace(place, received.owner, received))
    return found


def marked(entries: Iterable[CatalogEntry], places: list[SharedPlace]) -> list[CatalogEntry]:
    """``entries`` with those inside a share's place marked as the owner's and shared."""
    out: list[CatalogEntry] = []
    for entry in entries:
        holder = next((p for p in places if p.holds(entry)), None)
        out.append(replace(entry, owner=holder.owner, shared=True) if holder else entry)
    return out
