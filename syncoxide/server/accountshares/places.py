"""Where a share comes from and where it lands: ``PROVIDER:path`` of one account.

``home:`` is the account's storage on this server (no connection row: ``None``); any other
provider name is one of the account's connections. Two places overlap when they sit on the
same provider of the same account and one path contains the other: the server refuses to land
a share where another share's place already is, which is also what keeps a share from
flowing back into itself (A into B's folder that B shares back into A's).
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.catalog.model import HOME, parse_location
from syncoxide.errors import NotFoundError
from syncoxide.server.rules.connections import own_files_source
from syncoxide.server.rules.store import Connection, RuleStore


@dataclass(frozen=True)
class Place:
    user_id: int
    connection_id: int | None  # None: the account's storage on this server
    path: str

    def overlaps(self, other: Place) -> bool:
        if (self.user_id, self.connection_id) != (other.user_id, other.connection_id):
            return False
        one, two = self.path, other.path
        return (
            one == two
            or not one
            or not two
            or one.startswith(two + "/")
            or (two.startswith(one + "/"))
        )


async def resolve(rules: RuleStore, user_id: int, text: str) -> tuple[Place, Connection]:
    """``PROVIDER:path`` of ``user_id`` as a place and the connection that reaches it."""
    location = parse_location(text)
    if location.source == HOME:
        return Place(user_id, None, location.path), own_files_source(user_id)
    for connection in await rules.connections(user_id):
        if connection.name == location.source:
            return Place(user_id, connection.id, location.path), connection
    raise NotFoundError(
        f"You have no provider named {location.source!r}.",
        hint="Write home:path for your storage here, or NAME:path for a connection you added.",
    )


async def connection_of(rules: RuleStore, user_id: int, connection_id: int | None) -> Connection:
    if connection_id is None:
        return own_files_source(user_id)
    found = await rules.connection(user_id, connection_id)
    if found is None:
        raise NotFoundError("A connection this share uses was deleted.")
    return found


async def describe(rules: RuleStore, place: Place) -> str:
    """``PROVIDER:path`` again, for the place's own account."""
    if place.connection_id is None:
        return f"{HOME}:{place.path}"
    found = await rules.connection(place.user_id, place.connection_id)
    name = found.name if found else f"(deleted connection {place.connection_id})"
    return f"{name}:{place.path}"
