"""The receiver's way out when the sender is gone: fetch the sender's server copy instead.

A sender that chose "also upload" names a share link in the room. ``syncoxide receive`` uses it
when no sender is there for a short while: it lists the share (as ``syncoxide get`` does) and
downloads into the same destination folder the peer-to-peer transfer writes to, so what already
arrived counts. A file verified peer-to-peer is not fetched again; a partial file continues with
an HTTP Range request from its length (the whole file when the server ignores the range, or when
the continued file fails its hash once). Every file is checked against the SHA-256 the transfer
announced (the share's own listing when no manifest arrived peer-to-peer) before it gets its
final name; a file that fails keeps no trace under that name.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from syncoxide.cli.links.get import describe_share, parse_link, server_message
from syncoxide.errors import (
    IntegrityError,
    NotFoundError,
    TransportError,
    UsageError,
)
from syncoxide.native.p2p.files import READ_SIZE, DestinationFolder
from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide.protocol.server_copy import download_urls, manifest_of_listing, mismatch

FALLBACK_AFTER = 4.0  # seconds with no sender in the room before its server copy is used
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-\d+/\d+$")
KEPT = "Files already received were kept; run the same command again to resume."

OnBytes = Callable[[int], None]
StartProgress = Callable[[Manifest], OnBytes]  # given what will be fetched, counts its bytes


@dataclass(frozen=True)
class ServerCopy:
    """The share's listing, lined up with the transfer's manifest (same order)."""

    manifest: Manifest
    download_urls: tuple[str, ...]


def fetch_server_copy(
    url: str, folder: DestinationFolder, progress: ReceiverProgress, start: StartProgress
) -> Manifest:
    """Download every file not yet verified into ``folder``; return the manifest it followed."""
    server, share_id, _ = parse_link(url)
    folder.close()  # partial files are read back from disk: flush what the peer left behind
    with httpx2.Client(base_url=server, timeout=httpx2.Timeout(30.0, read=300.0)) as client:
        copy = _server_copy(client, share_id, progress.manifest)
        folder.make_folders(copy.manifest)
        on_bytes = start(copy.manifest)
        for index, entry in enumerate(copy.manifest.files):
            if progress.manifest is not None and progress.is_verified(index):
                on_bytes(entry.size)  # verified peer-to-peer: already under its final name
                continue
            _fetch_file(client, folder, index, copy.download_urls[index], on_bytes=on_bytes)
    return copy.manifest


def _server_copy(client: httpx2.Client, share_id: str, known: Manifest | None) -> ServerCopy:
    try:
        share = describe_share(client, share_id)
    except UsageError as error:
        raise NotFoundError(
            f"The sender's server copy cannot be used: {error.message}", hint=KEPT
        ) from None
    if share.get("encrypted"):
        raise UsageError(
            "The sender's server copy is end-to-end encrypted and the room gives no key for it.",
            hint=f"Ask the sender for the share link itself. {KEPT}",
        )
    listing = share["files"]
    known = known or manifest_of_listing(listing)  # no manifest arrived peer-to-peer
    if why := mismatch(known, listing):  # the copy must hold exactly what the sender announced
        raise IntegrityError(
            f"The server copy does not match the transfer: {why}",
            hint=f"Nothing was written for it. {KEPT}",
        )
    return ServerCopy(known, download_urls(known, listing))


def _fetch_file(
    client: httpx2.Client, folder: DestinationFolder, index: int, url: str, *, on_bytes: OnBytes
) -> None:
    assert folder.manifest is not None
    entry = folder.manifest.files[index]
    final, partial = folder.final_path(index), folder.partial_path(index)
    if final.exists():
        folder.check_existing(final, entry)  # an earlier run finished it, or it was there
        on_bytes(entry.size)
        return
    kept = partial.stat().st_size if partial.exists() else 0
    if kept > entry.size:
        kept = 0  # not this file's bytes: start over
    elif 0 < kept < entry.size:
        print(f"{entry.path}: continuing from byte {kept} (already received)", file=sys.stderr)
    digest = _download(client, url, partial, kept=kept, entry=entry, on_bytes=on_bytes)
    if digest != entry.sha256 and kept:
        on_bytes(-entry.size)  # the kept part was not right: fetch the whole file once more
        digest = _download(client, url, partial, kept=0, entry=entry, on_bytes=on_bytes)
    if digest != entry.sha256:
        partial.unlink(missing_ok=True)
        raise IntegrityError(
            f"{entry.path}: the server copy's SHA-256 does not match the sender's; "
            "the damaged file was not kept.",
            hint="The copy on the server was changed or damaged; ask the sender to send again.",
        )
    folder.finish(index)


def _download(
    client: httpx2.Client,
    url: str,
    partial: Path,
    *,
    kept: int,
    entry: FileEntry,
    on_bytes: OnBytes,
) -> bytes:
    """Fill ``partial`` to the end from byte ``kept`` on (or from 0 if the server says so)."""
    digest = hashlib.sha256()
    if kept == entry.size:  # all there (or empty): only the hash is left to check
        if kept:
            _hash_prefix(partial, kept, digest)
            on_bytes(kept)
        return digest.digest()
    headers = {"Range": f"bytes={kept}-"} if kept else {}
    try:
        with client.stream("GET", url, headers=headers) as response:
            start = _start_of(response, kept, entry.path)
            with partial.open("r+b" if start and partial.exists() else "wb") as out:
                if start:
                    _hash_prefix(partial, start, digest)
                    on_bytes(start)
                out.seek(start)
                out.truncate()
                for chunk in response.iter_bytes(READ_SIZE):
                    digest.update(chunk)
                    out.write(chunk)
                    on_bytes(len(chunk))
                out.flush()
                os.fsync(out.fileno())
    except httpx2.TransportError as error:
        raise TransportError(
            f"The download of {entry.path} from the server copy was cut: {error}.", hint=KEPT
        ) from None
    return digest.digest()


def _start_of(response: httpx2.Response, kept: int, path: str) -> int:
    """Where the body begins in the file: ``kept`` for a 206, 0 for a whole-file 200."""
    if response.status_code == 200:
        return 0
    match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
    if response.status_code == 206 and match and int(match.group(1)) == kept:
        return kept
    response.read()
    reason = server_message(response)
    raise NotFoundError(f"{path}: the server copy could not be downloaded: {reason}", hint=KEPT)


def _hash_prefix(path: Path, length: int, digest: Any) -> None:
    with path.open("rb") as handle:
        left = length
        while left and (block := handle.read(min(READ_SIZE, left))):
            digest.update(block)
            left -= len(block)
