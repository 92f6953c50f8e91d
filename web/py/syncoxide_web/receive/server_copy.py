"""The receive page's way on when the sender leaves mid-transfer: finish from its server copy.

The browser twin of ``syncoxide receive``'s fallback (syncoxide/cli/p2p/server_copy.py). A
sender that chose "also upload" names a share link in the room once the server lists every
file with the right size and SHA-256. When the sender is gone, the page lists that share and
fetches into the same folder only what is still missing:

- a file verified peer-to-peer is kept as it is, never fetched (after a reload of the page,
  which forgets what was verified, a file under its final name whose SHA-256 is right counts);
- a file partly written (by the same writer the peer-to-peer part used: p2p_opfs.py or
  p2p_destination.py) is re-read once to rebuild its SHA-256, then continues with
  ``Range: bytes=<kept>-``; when the server
  sends the whole file instead, or the continued file fails its hash, that file alone starts
  over from byte 0; a download cut mid-way is taken up again from where it stopped;
- every file is checked against the manifest's SHA-256 before it gets its final name; a file
  that fails leaves nothing under that name and its partial bytes are removed.

Bodies are read as streams and handed to the destination piece by piece (it batches and bounds
its queued writes), so memory stays flat for any size. The downloads go through the share's
own routes: its rules (expiry, download counting, the ticket cookie that makes a resumed
download free) apply as to any other download of it. An encrypted share is refused, as the CLI
does: the room carries no key for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import Any

import js
from pyodide.ffi import JsException

from syncoxide.errors import GoneError, IntegrityError, NotFoundError, TransportError, UsageError
from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from syncoxide.protocol.server_copy import download_urls, manifest_of_listing, mismatch
from syncoxide_web.api.server_api import API, fetch, refusal
from syncoxide_web.p2p.destination import DirectoryDestination
from syncoxide_web.p2p.opfs_destination import OpfsDestination, open_destination
from syncoxide_web.p2p.status import StatusCallback, TransferStatus

PIECE = 4 * 1024 * 1024  # bytes between two status updates, and read at once when re-hashing
RETRIES = 3  # a cut download is taken up again from where it stopped this many times
RETRY_PAUSE = 1.0  # seconds, growing with each retry
KEPT = "What already arrived is kept: reopen the link to continue."
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-\d+/\d+$")


class _CopyProgress(ReceiverProgress):
    """Progress that also gives a file's running SHA-256, and can start one file over."""

    def digest(self, index: int) -> bytes:
        return self._files[index].hasher.copy().digest()

    def start_over(self, index: int) -> None:
        self._files[index] = type(self._files[index])()


def _now() -> float:
    return float(js.performance.now()) / 1000


async def finish_from_server_copy(
    server: str,
    url: str,
    folder: Any,
    received: ReceiverProgress,
    *,
    on_status: StatusCallback = lambda _s: None,
) -> TransferStatus:
    """Fetch what ``received`` lacks from the share ``url`` (``/s/<id>``) into ``folder``."""
    listing = await _listing(server, url)
    manifest = received.manifest or manifest_of_listing(listing)
    if why := mismatch(manifest, listing):
        raise IntegrityError(f"The server copy does not match the transfer: {why}", hint=KEPT)
    tag = received.transfer_id.hex()[:12]  # the partial files' names, as p2p_transfer's
    destination = await open_destination(folder, tag)
    copy = _ServerCopyFetch(
        server=server,
        manifest=manifest,
        folder=folder,
        destination=destination,
        received=received,
        on_status=on_status,
    )
    await copy.run(download_urls(manifest, listing))
    return copy.status


async def _listing(server: str, url: str) -> list[dict[str, Any]]:
    share_id = url.removeprefix("/s/")
    response = await fetch("GET", f"{server}{API}/shares/{share_id}", {})
    if response.status in (404, 410):
        raise GoneError("The sender's server copy is no longer available.", hint=KEPT)
    if not response.ok:
        error = await refusal(response)
        raise NotFoundError(f"The sender's server copy cannot be used: {error.message}", hint=KEPT)
    share = (await response.json()).to_py()
    if share.get("encrypted"):
        raise UsageError(
            "The sender's server copy is end-to-end encrypted and the room gives no key for it.",
            hint=f"Ask the sender for the share link itself. {KEPT}",
        )
    files: list[dict[str, Any]] = share.get("files", [])
    return files


class _ServerCopyFetch:
    def __init__(
        self,
        *,
        server: str,
        manifest: Manifest,
        folder: Any,
        destination: DirectoryDestination | OpfsDestination,
        received: ReceiverProgress,
        on_status: StatusCallback,
    ) -> None:
        self.server = server
        self.manifest = manifest
        self.folder = folder
        self.verified = {
            index
            for index in range(len(manifest.files))
            if received.manifest is not None and received.is_verified(index)
        }
        self.progress = _CopyProgress(received.transfer_id)
        self.progress.adopt(manifest)
        self.destination = destination
        self.on_status = on_status
        self.status = TransferStatus(total_bytes=manifest.total_size, via_server_copy=True)
        self._drawn = 0

    async def run(self, urls: tuple[str, ...]) -> None:
        try:
            await self.destination.prepare(self.manifest, self.progress)  # re-reads partials
            held = sum(
                entry.size if index in self.verified else self.progress.offset(index)
                for index, entry in enumerate(self.manifest.files)
            )
            self.status.done_bytes = self.status.resumed_from = held
            self.status.state, self.status.started = "transferring", _now()
            self.on_status(self.status)
            for index, entry in enumerate(self.manifest.files):
                if index not in self.verified:
                    await self._fetch_file(index, entry, self.server + urls[index])
        finally:
            await self.destination.close()
        self.status.state = "verified"
        self.on_status(self.status)

    async def _fetch_file(self, index: int, entry: FileEntry, url: str) -> None:
        kept = self.progress.offset(index)
        if not kept and await self._finished_before(entry):
            self._count(entry.size)
            return
        if kept > entry.size:  # not this file's bytes
            await self._start_over(index)
        await self._download(index, url)
        if self.progress.digest(index) != entry.sha256 and kept:  # the kept part may be wrong
            await self._start_over(index)
            await self._download(index, url)
        if self.progress.digest(index) != entry.sha256:
            await self._start_over(index)
            raise IntegrityError(
                f"{entry.path}: the server copy's SHA-256 does not match the sender's; "
                "the damaged file was not kept.",
                hint="The copy on the server was changed or damaged; ask the sender to send again.",
            )
        await self.destination.finish(index)

    async def _download(self, index: int, url: str) -> None:
        """Fetch the file from its current length to its end; a cut connection is taken up
        again from where it stopped, RETRIES times, before it is reported."""
        for attempt in range(RETRIES + 1):
            try:
                await self._download_once(index, url)
                return
            except TransportError:
                if attempt == RETRIES:
                    raise
                await asyncio.sleep(RETRY_PAUSE * (attempt + 1))

    async def _download_once(self, index: int, url: str) -> None:
        entry = self.manifest.files[index]
        start = self.progress.offset(index)
        if start == entry.size:
            return  # all there (or empty): only the hash is left to check
        response = await fetch("GET", url, {"Range": f"bytes={start}-"} if start else {})
        _check_start(response, start, entry.path)
        if start and response.status == 200:  # the whole file came: take it from byte 0
            await self._start_over(index)
        reader = response.body.getReader()
        try:
            while not (step := await reader.read()).done:
                data = step.value.to_bytes()
                await self.destination.write(index, self.progress.offset(index), data)
                self.progress.absorb(index, data)
                self._count(len(data))
        except JsException as error:
            raise TransportError(
                f"The download of {entry.path} from the server copy was cut ({error}).", hint=KEPT
            ) from None

    async def _finished_before(self, entry: FileEntry) -> bool:
        """A file verified before this page was reloaded: under its final name, and its
        SHA-256 (read back once, piece by piece) is the manifest's."""
        *parents, name = entry.path.split("/")
        try:
            folder = self.folder
            for part in parents:
                folder = await folder.getDirectoryHandle(part)
            file = await (await folder.getFileHandle(name)).getFile()
        except JsException:
            return False
        if int(file.size) != entry.size:
            return False
        digest = hashlib.sha256()
        for start in range(0, entry.size, PIECE):
            piece = await file.slice(start, start + PIECE).arrayBuffer()
            digest.update(js.Uint8Array.new(piece).to_bytes())
        return digest.digest() == entry.sha256

    def _count(self, amount: int) -> None:
        self.status.done_bytes += amount
        self._drawn += amount
        if self._drawn >= PIECE:
            self._drawn = 0
            self.on_status(self.status)

    async def _start_over(self, index: int) -> None:
        """Drop the file's partial bytes and its count, so it is received from byte 0."""
        await self.destination.discard(index)
        self.status.done_bytes -= self.progress.offset(index)
        self.progress.start_over(index)


def _check_start(response: Any, start: int, path: str) -> None:
    """A 200 (the whole file) or a 206 from ``start``; anything else is the server's refusal."""
    if response.status == 200:
        return
    match = _CONTENT_RANGE.match(str(response.headers.get("content-range") or ""))
    if response.status == 206 and match and int(match.group(1)) == start:
        return
    if response.status == 410:
        raise GoneError(
            f"{path}: the server copy is no longer available (expired, revoked or used up).",
            hint=KEPT,
        )
    raise NotFoundError(
        f"{path}: the server copy could not be downloaded (HTTP {response.status}).", hint=KEPT
    )
