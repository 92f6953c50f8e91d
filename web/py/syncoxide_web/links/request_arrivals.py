"""Opening what arrived on an end-to-end encrypted request link, in the owner's browser.

Each arrival is streamed from the server (``fetch`` body, read in pieces), checked against the
server's SHA-256 as it comes, and opened chunk by chunk (``syncoxide.crypto.recipient``) into a
file of the origin-private file system; only a file whose every tag verified is kept. "All as a
zip" then lays the opened files out with ``ZipLayout`` (stored members, CRC-32 computed while
opening) and writes the archive the same way, so neither files nor zip sit in memory.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import js
from pyodide.ffi import to_js

from syncoxide.archive.zip_layout import HeaderBytes, ZipLayout, ZipMember
from syncoxide.crypto import recipient, stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import IntegrityError, SyncoxideError
from syncoxide.safe_names import sanitized_relative_path, unique_path
from syncoxide_web.platform.blob_io import BlobReader, WritableSink
from syncoxide_web.platform.webcrypto import WebCryptoBackend


@dataclass(frozen=True)
class OpenedArrival:
    path: str  # the uploader's relative path, made safe
    handle: Any  # the plaintext in the origin-private file system
    size: int
    crc32: int


class ResponseReader:
    """``read(n)`` over a streamed ``fetch`` body, hashing everything that passes."""

    def __init__(self, response: Any) -> None:
        self._reader = response.body.getReader()
        self._buffer = b""
        self.digest = hashlib.sha256()

    async def read(self, count: int) -> bytes:
        while len(self._buffer) < count:
            piece = await self._reader.read()
            if piece.done:
                break
            data = bytes(piece.value.to_bytes())
            self.digest.update(data)
            self._buffer += data
        taken, self._buffer = self._buffer[:count], self._buffer[count:]
        return taken


def _options(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


async def fetch_bytes(url: str, headers: dict[str, str] | None = None) -> Any:
    """A ``Response`` whose body the caller streams; a refusal raises with its status."""
    response = await js.fetch(url, _options(credentials="same-origin", headers=headers or {}))
    if not response.ok:
        raise SyncoxideError(f"The server refused the download (HTTP {response.status}).")
    return response


async def open_arrival(
    entry: dict[str, Any], private: SecretBytes, folder: Any, name: str
) -> OpenedArrival:
    """Download, verify and open one arrival into ``folder``/``name``."""
    source = ResponseReader(await fetch_bytes(entry["download_url"]))
    start = await stream.read_fully(source.read, recipient.NAME_AAD_SIZE)
    rest = await stream.read_fully(source.read, recipient.header_size(start) - len(start))
    header = recipient.parse_header(start + rest)
    path, opener = await recipient.open_from(WebCryptoBackend(), private, header)
    handle = await folder.getFileHandle(name, _options(create=True))
    sink = WritableSink(await handle.createWritable())
    crc = 0

    async def write(data: bytes) -> None:
        nonlocal crc
        crc = zlib.crc32(data, crc)
        await sink.write(data)

    try:
        size = await stream.open_stream(opener, source.read, write)
        if source.digest.hexdigest() != entry["sha256"]:
            raise IntegrityError("The download does not match the server's hash; try again.")
    except BaseException:
        await sink.abort()
        raise
    await sink.close()
    return OpenedArrival(sanitized_relative_path(path), handle, size, crc)


async def sealed_name(entry: dict[str, Any], private: SecretBytes) -> str:
    """An arrival's real relative path, from its header alone (one small Range request)."""
    probe = recipient.NAME_AAD_SIZE + recipient.MAX_NAME_BYTES + 16
    response = await fetch_bytes(entry["download_url"], {"Range": f"bytes=0-{probe}"})
    header = recipient.parse_header(bytes((await response.arrayBuffer()).to_bytes()))
    path, _ = await recipient.open_from(WebCryptoBackend(), private, header)
    return sanitized_relative_path(path)


async def zip_opened(
    opened: list[OpenedArrival], folder: Any, name: str, progress: Callable[[int], None]
) -> Any:
    """Write the opened files as one stored zip into ``folder``/``name``; its handle."""
    now, taken = js.Date.now() / 1000, set[str]()
    members = []
    for item in opened:  # two uploaders may have sent the same path: never two equal entries
        entry = unique_path(item.path, taken.__contains__)
        taken.add(entry)
        members.append(ZipMember(entry, item.size, item.crc32, now))
    layout = ZipLayout(members)
    handle = await folder.getFileHandle(name, _options(create=True))
    sink = WritableSink(await handle.createWritable())
    try:
        for piece in layout.pieces():
            if isinstance(piece, HeaderBytes):
                await sink.write(piece.data)
                continue
            whole = await opened[piece.index].handle.getFile()
            reader = BlobReader(whole.slice(piece.offset, piece.offset + piece.length))
            while chunk := await reader.read(1 << 20):
                await sink.write(chunk)
            progress(sink.written)
    except BaseException:
        await sink.abort()
        raise
    await sink.close()
    return handle
