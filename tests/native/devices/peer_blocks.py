"""A peer's side of a pull, for tests and benches that move files between two folders on disk
without a session: blocks are read straight from the source folder."""

from __future__ import annotations

from syncoxide.engine.device_sync.folder_port import FetchBlock
from syncoxide.engine.device_sync.pull import BlockUnavailable
from syncoxide.native.devices.local_folder import LocalFolder


def fetch_from(source: LocalFolder, path: str, log: list[int] | None = None) -> FetchBlock:
    """Fetches ``path``'s blocks from ``source`` as a peer would serve them (BlockUnavailable
    when it no longer holds one), noting each block number asked for in ``log`` if given."""

    async def fetch(number: int, digest: str) -> bytes:
        if log is not None:
            log.append(number)
        data = source.serve_block(path, number, digest)
        if data is None:
            raise BlockUnavailable()
        return data

    return fetch
