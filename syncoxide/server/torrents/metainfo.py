"""The ``.torrent`` of a share: made with torf from the stored files, cached in the blob store.

Hashing is the only costly part (SHA-1 of every byte), so the torrent without its web seed is
kept as a blob and reused for every recipient; each recipient's copy differs only in
``url-list``, which carries their own signed ticket.

Cache entry (blob ``torrents/l<link id>``)::

    offset  size  field
    0       32    layout fingerprint, ASCII hex (``TorrentLayout.fingerprint``)
    32      1     0x0A
    33      ...   the bencoded torrent, without ``url-list``

A stale fingerprint (files added to the share since) makes it be built again and replaced.
"""

from __future__ import annotations

import asyncio
import io

import torf

from syncoxide import __version__
from syncoxide.providers.contract import chunks_of
from syncoxide.server.storage.port import BlobStore
from syncoxide.server.torrents.layout import TorrentLayout
from syncoxide.server.torrents.pieces import PieceHasher

_READ_CHUNK = 4 << 20
_FINGERPRINT_HEX = 32


class TorrentMaker:
    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self._building: dict[str, asyncio.Lock] = {}

    async def torrent_of(self, link_id: str, layout: TorrentLayout) -> bytes:
        """The bencoded torrent (no web seed yet), from the cache or built and cached now."""
        key = f"torrents/l{link_id}"
        lock = self._building.setdefault(key, asyncio.Lock())
        async with lock:  # two first visitors at once hash the files once
            cached = await self._cached(key, layout.fingerprint)
            if cached is None:
                cached = await self._build(layout)
                entry = layout.fingerprint.encode() + b"\n" + cached
                await self._blobs.put(key, chunks_of(entry))
        return cached

    async def _cached(self, key: str, fingerprint: str) -> bytes | None:
        if await self._blobs.size(key) is None:
            return None
        entry = b"".join([chunk async for chunk in self._blobs.read(key, _READ_CHUNK)])
        if entry[:_FINGERPRINT_HEX].decode("ascii", "replace") != fingerprint:
            return None
        return entry[_FINGERPRINT_HEX + 1 :]

    async def _build(self, layout: TorrentLayout) -> bytes:
        torrent = torf.Torrent(created_by=f"syncoxide {__version__}")
        torrent.files = [torf.File(path, size=f.size) for path, f in layout.by_path.items()]
        torrent.piece_size = torf.Torrent.calculate_piece_size(layout.total_size)
        hasher = PieceHasher(torrent.piece_size)
        for path in _paths_in_torrent_order(torrent):
            file = layout.by_path[path]
            async for chunk in self._blobs.read(file.blob_key, _READ_CHUNK):
                await asyncio.to_thread(hasher.update, chunk)  # hashlib lets go of the GIL
        torrent.metainfo["info"]["pieces"] = hasher.finish()
        return bytes(torrent.dump(validate=True))


def _paths_in_torrent_order(torrent: torf.Torrent) -> list[str]:
    """The files as the ``info`` dictionary lists them (torf sorts them), which is the order
    their bytes are hashed in."""
    info = torrent.metainfo["info"]
    if "files" not in info:
        return [str(info["name"])]
    return ["/".join([str(info["name"]), *map(str, entry["path"])]) for entry in info["files"]]


def with_web_seed(torrent_bytes: bytes, url: str) -> bytes:
    """The cached torrent with ``url-list`` set to this recipient's web seed."""
    torrent = torf.Torrent.read_stream(io.BytesIO(torrent_bytes))
    torrent.webseeds = [url]
    return bytes(torrent.dump(validate=True))
