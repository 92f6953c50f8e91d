"""A job's files in a provider: its inputs read from, its results written into, the watched
folder of a connection or an account share, all through the provider contract.

The provider is opened at the watched folder, so every path of the job is relative to it.
Before a result is written its path is recorded as ours (``SeenStore.writing_output``), so
the next poll of that folder does not take it for an arrival. A result already there with
the same content (an earlier attempt stored it before its server stopped) is left as is.

A provider that refuses the connection's credentials marks the connection ``reconnect`` and
ends the job with a message saying that the arrival is untouched and what to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide.errors import AlreadyExistsError, AuthenticationError, NotFoundError
from syncoxide.providers.contract import Provider
from syncoxide.server.automation.places import RulePlaces, WatchedPlace
from syncoxide.server.automation.seen import SeenStore
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.server.rules.store import Connection

PIECE = 1 << 20


@dataclass
class ProviderSide:
    """One job's view of its folder: fetch inputs, store results, move originals."""

    provider: Provider
    connection: Connection
    place: WatchedPlace
    seen: SeenStore

    async def fetch(self, item: dict[str, Any], into: Path, moved: str) -> Path:
        path = item["path"]
        try:
            await self.provider.stat(path)
        except NotFoundError:
            path = moved  # moved beside the result by an earlier attempt of this very job
            try:
                await self.provider.stat(path)
            except NotFoundError:
                raise NotFoundError(
                    f"{item['name']!r} is no longer in {self.connection.name}; nothing was made"
                    " from it."
                ) from None
        with into.open("wb") as out:
            async for piece in self.provider.open_read(path):
                out.write(piece)
        return into

    async def store(self, local: Path, path: str) -> list[str]:
        if local.is_dir():
            stored = []
            for child in sorted(p for p in local.rglob("*") if p.is_file()):
                stored += await self.store(child, f"{path}/{child.relative_to(local).as_posix()}")
            return stored
        if await self._same_there(local, path):
            return [path]
        self.seen.writing_output(self.connection.id, self._from_root(path))
        await self.provider.write(path, _pieces(local), hash_kind="sha1")
        return [path]

    async def move_original(self, item: dict[str, Any], moved: str) -> None:
        self.seen.writing_output(self.connection.id, self._from_root(moved))
        with contextlib.suppress(NotFoundError):  # moved by an earlier attempt already
            try:
                await self.provider.move(item["path"], moved)
            except AlreadyExistsError:
                raise AlreadyExistsError(
                    f"{moved!r} exists already in {self.connection.name}; {item['name']!r} was"
                    " left where it was.",
                    hint="The result was stored; move or rename the original yourself.",
                ) from None

    async def _same_there(self, local: Path, path: str) -> bool:
        try:
            there = await self.provider.hash(path, "sha1")
        except NotFoundError:
            return False
        return there == _sha1(local)

    def _from_root(self, path: str) -> str:
        return posixpath.join(self.place.path, path) if self.place.path else path


class ProviderJobs:
    """Opens the folder a job's payload names, checked afresh against its owner."""

    def __init__(self, connections: Connections, places: RulePlaces, seen: SeenStore) -> None:
        self.connections = connections
        self.places = places
        self.seen = seen

    @contextlib.asynccontextmanager
    async def opened(self, user_id: int, payload: dict[str, Any]) -> AsyncIterator[ProviderSide]:
        place = await self._place(user_id, payload)
        connection = place.connection
        assert connection is not None  # _place refuses the storage on this server
        provider = self.connections.provider(connection, place.path)
        try:
            yield ProviderSide(provider, connection, place, self.seen)
        except AuthenticationError as error:
            await self.connections.test(connection)  # marks it ``reconnect`` if still refused
            raise AuthenticationError(
                f"{connection.name} refused its credentials ({error}). The arriving file is"
                " still there and nothing was written.",
                hint="Reconnect the connection with new credentials, then retry this job.",
            ) from None
        finally:
            await close_provider(provider)

    async def _place(self, user_id: int, payload: dict[str, Any]) -> WatchedPlace:
        share = payload.get("share")
        if share is not None:
            place = await self.places.of_share(user_id, int(share))
        else:
            connection = await self.places.connections.connection(user_id, payload["connection"])
            if connection is None:
                raise NotFoundError("The connection this job reads was deleted; nothing was made.")
            place = WatchedPlace(connection, payload["place"])
        moved = place.connection is None or place.connection.id != payload["connection"]
        if moved or place.path != payload["place"]:
            raise NotFoundError(
                "The share this job came from now lands elsewhere; nothing was made.",
                hint="Put the file into the share's folder again.",
            )
        return place


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()  # noqa: S324 - matches the provider's own digest, not a secret
    with path.open("rb") as source:
        while piece := source.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


async def _pieces(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(PIECE):
            yield piece
