"""The receiver's side of a transfer: what to ask for, what to write, what is verified.

``ReceiverProgress`` outlives connections: per file, how many bytes arrived and a running
SHA-256 of them. After a reconnect a new ``ReceiverSession`` asks each unfinished file from its
offset, so verified bytes are never sent twice. After a restart the adapter rebuilds the progress
by feeding the partial files it kept to ``absorb`` (a local re-read, not a re-send).

Flow control: the receiver grants WINDOW bytes of credit up front and tops it up as the adapter
reports bytes durably written (``written``), so at most WINDOW bytes are ever in flight or
waiting in memory, however large the file. The window is twice a data channel's send queue
(12 MiB): a sender whose receiver keeps up then waits for the channel, as a raw sender does,
not for credit on its way back. It is topped up in steps of a sixteenth (or ``top_up``), so
credit flows back steadily instead of in bursts that leave the link idle. The sender may not
exceed it, nor send past a file's announced size, nor out of order: each is a
RemoteProtocolError.

Hashing here or outside: by default the session hashes every payload itself (``receive``). An
adapter that keeps payloads out of Python (the browser peels DATA frames off in JavaScript and
hashes in a worker) makes its progress with ``hashed_outside=True``, hands over only each DATA
frame's header (``accept_data``), and answers ``DigestNeeded`` with the file's SHA-256
(``file_digest``). The same checks apply to both.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from syncoxide.errors import (
    IntegrityError,
    LocalProtocolError,
    RemoteProtocolError,
    SyncoxideError,
)
from syncoxide.protocol.events import (
    Cancel,
    Credit,
    Data,
    Done,
    Event,
    Failure,
    Hello,
    ManifestOffered,
    Request,
    Verified,
)
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.peer_failures import error_from_peer, failure_code
from syncoxide.protocol.transfer import NEED_DATA, Role, State, TransferConnection

WINDOW = 24 * 1024 * 1024


@dataclass(frozen=True)
class ManifestReady:
    """The manifest arrived: prepare folders, absorb partial files, then call request_missing."""

    manifest: Manifest


@dataclass(frozen=True)
class WriteChunk:
    file_index: int
    offset: int
    payload: bytes


@dataclass(frozen=True)
class FileVerified:
    """The file is complete and its SHA-256 matched: move it to its final name."""

    file_index: int


@dataclass(frozen=True)
class TransferComplete:
    """Every file is verified."""


@dataclass(frozen=True)
class DigestNeeded:
    """Every byte of the file arrived (hashed outside): call file_digest with its SHA-256."""

    file_index: int


ReceiverAction = ManifestReady | WriteChunk | DigestNeeded | FileVerified | TransferComplete


@dataclass
class _FileProgress:
    offset: int = 0
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)
    verified: bool = False


class ReceiverProgress:
    def __init__(self, transfer_id: bytes, *, hashed_outside: bool = False) -> None:
        self.transfer_id = transfer_id
        self.hashed_outside = hashed_outside
        self.manifest: Manifest | None = None
        self._files: list[_FileProgress] = []

    def adopt(self, manifest: Manifest) -> None:
        if self.manifest is None:
            self.manifest = manifest
            self._files = [_FileProgress() for _ in manifest.files]
        elif manifest != self.manifest:
            raise RemoteProtocolError(
                "The sender now offers different files than when this transfer started.",
                hint="Files already verified were kept; ask the sender for a new link.",
            )

    def absorb(self, file_index: int, data: bytes) -> None:
        """Count bytes already on disk from an earlier run (hashing them, not re-receiving)."""
        progress = self._files[file_index]
        progress.hasher.update(data)
        progress.offset += len(data)

    def absorbed_outside(self, file_index: int, count: int) -> None:
        """Count bytes that the adapter hashed itself (``hashed_outside``): already on disk
        from an earlier run, or just arrived in a DATA frame only its header of reached us."""
        if not self.hashed_outside:
            raise LocalProtocolError("absorbed_outside needs a progress made hashed_outside.")
        self._files[file_index].offset += count

    def offset(self, file_index: int) -> int:
        return self._files[file_index].offset

    def is_verified(self, file_index: int) -> bool:
        return self._files[file_index].verified

    @property
    def received_bytes(self) -> int:
        return sum(progress.offset for progress in self._files)

    @property
    def complete(self) -> bool:
        return bool(self._files) and all(progress.verified for progress in self._files)

    def digest(self, file_index: int) -> bytes:
        """The SHA-256 of the file's bytes counted so far (hashed here, not outside)."""
        return self._files[file_index].hasher.digest()

    def verify(self, file_index: int, digest: bytes) -> None:
        """Mark the complete file verified if ``digest`` is the manifest's; else forget its
        bytes (the next session asks for it from the start) and raise IntegrityError."""
        assert self.manifest is not None
        entry, progress = self.manifest.files[file_index], self._files[file_index]
        if digest != entry.sha256:
            self._files[file_index] = _FileProgress()  # start this file over next time
            raise IntegrityError(
                f"{entry.path} arrived complete but its SHA-256 does not match the sender's.",
                hint="The damaged copy was not kept; resume to receive that file again.",
            )
        progress.verified = True


class ReceiverSession:
    def __init__(
        self, progress: ReceiverProgress, *, window: int = WINDOW, top_up: int | None = None
    ) -> None:
        self.progress = progress
        self.window = window
        # Credit goes back once this many bytes were written: a sixteenth of the window unless
        # the adapter says otherwise (each CREDIT wakes the sender; in a browser that costs).
        self.top_up = top_up or window // 16
        self.connection = TransferConnection(Role.RECEIVER)
        self._outbox = bytearray()
        self._queue: deque[int] = deque()
        self._outstanding = 0  # credit granted and not yet used by DATA
        self._unacknowledged = 0  # bytes written since our last CREDIT
        self._awaiting_digest: set[int] = set()  # complete files, hashed outside, not yet checked
        self._send(Hello(progress.transfer_id))

    def data_to_send(self) -> bytes:
        out = bytes(self._outbox)
        self._outbox.clear()
        return out

    def receive(self, data: bytes) -> list[ReceiverAction]:
        self.connection.receive(data)
        actions: list[ReceiverAction] = []
        while (event := self.connection.next_event()) is not NEED_DATA:
            actions.extend(self._failing_clearly(self._handle, event))
        return actions

    def accept_data(self, file_index: int, offset: int, length: int) -> list[ReceiverAction]:
        """A DATA frame whose payload the adapter holds and hashes itself (hashed_outside):
        checked as ``receive`` checks DATA. Once accepted, the adapter writes the payload; on
        an error nothing of it may be written."""
        if not self.progress.hashed_outside:
            raise LocalProtocolError("accept_data needs a progress made hashed_outside.")
        return self._failing_clearly(self._accept_data, file_index, offset, length)

    def file_digest(self, file_index: int, digest: bytes) -> list[ReceiverAction]:
        """The SHA-256 the adapter computed for a DigestNeeded file: verified, or IntegrityError
        (then the file's progress starts over and its partial bytes should be dropped)."""
        if file_index not in self._awaiting_digest:
            raise LocalProtocolError(f"File {file_index} is not waiting for its digest.")
        self._awaiting_digest.discard(file_index)
        return self._failing_clearly(self._file_complete, file_index, digest)

    def _failing_clearly(
        self, step: Callable[..., list[ReceiverAction]], *args: Any
    ) -> list[ReceiverAction]:
        """Run ``step``; if it fails, tell the sender (FAILURE) before raising."""
        try:
            return step(*args)
        except SyncoxideError as error:
            self.fail(error)
            raise

    def request_missing(self) -> list[ReceiverAction]:
        """Ask for every unverified file from where it stopped, and grant the first credit."""
        manifest = self.progress.manifest
        assert manifest is not None, "request_missing comes after ManifestReady"
        actions: list[ReceiverAction] = []
        for index, entry in enumerate(manifest.files):
            if self.progress.is_verified(index):
                self._send(Verified(index, entry.sha256))  # a new sender learns what is done
                continue
            self._queue.append(index)
            if self.progress.offset(index) >= entry.size:
                actions.extend(self._finish_file(index))  # empty, or complete before a cut
            else:
                self._send(Request(index, self.progress.offset(index)))
        if self._queue:
            self._grant(self.window)
        elif self.progress.complete and self.connection.state is State.TRANSFERRING:
            self._send(Done())  # everything was verified before the last cut
            actions.append(TransferComplete())
        return actions

    def written(self, count: int) -> None:
        """The adapter wrote ``count`` more bytes; top up the credit in batches."""
        self._unacknowledged += count
        if self._unacknowledged >= self.top_up and self._queue:
            self._grant(self._unacknowledged)
            self._unacknowledged = 0

    def cancel(self, reason: str) -> None:
        self._send(Cancel(reason))

    def fail(self, error: SyncoxideError) -> None:
        if self.connection.state.value in ("await_hello", "await_manifest", "transferring"):
            self._send(Failure(failure_code(error), error.message))

    def _grant(self, amount: int) -> None:
        self._outstanding += amount
        self._send(Credit(amount))

    def _send(self, event: Event) -> None:
        self._outbox += self.connection.send(event)

    def _handle(self, event: Event) -> list[ReceiverAction]:
        if isinstance(event, ManifestOffered):
            self.progress.adopt(event.manifest)
            return [ManifestReady(event.manifest)]
        if isinstance(event, Data):
            return self._on_data(event)
        if isinstance(event, Cancel | Failure):
            raise error_from_peer(event, "sender")
        raise RemoteProtocolError(f"The sender sent {type(event).__name__}, a receiver's message.")

    def _on_data(self, event: Data) -> list[ReceiverAction]:
        if self.progress.hashed_outside:  # its payload would be missing from the outside hash
            raise LocalProtocolError("A whole DATA frame reached a session hashed outside.")
        index = event.file_index
        self._check_data(index, event.offset, len(event.payload))
        self.progress.absorb(index, event.payload)
        actions: list[ReceiverAction] = [WriteChunk(index, event.offset, event.payload)]
        if self._is_complete(index):
            actions.extend(self._finish_file(index))
        return actions

    def _accept_data(self, index: int, offset: int, length: int) -> list[ReceiverAction]:
        self.connection.receive_unframed(Data)
        self._check_data(index, offset, length)
        self.progress.absorbed_outside(index, length)
        return self._finish_file(index) if self._is_complete(index) else []

    def _check_data(self, index: int, offset: int, length: int) -> None:
        manifest = self.progress.manifest
        assert manifest is not None
        expected = self.progress.offset(index) if index < len(manifest.files) else -1
        if not self._queue or index != self._queue[0] or offset != expected:
            raise _overstep(f"bytes of file {index} at offset {offset}, out of order")
        if offset + length > manifest.files[index].size:
            raise _overstep(f"more of {manifest.files[index].path} than its announced size")
        if length > self._outstanding:
            raise _overstep("more bytes than the receiver allowed (credit exceeded)")
        self._outstanding -= length

    def _is_complete(self, index: int) -> bool:
        assert self.progress.manifest is not None
        return self.progress.offset(index) == self.progress.manifest.files[index].size

    def _finish_file(self, index: int) -> list[ReceiverAction]:
        """The file's last byte is here: verify it now, or ask the adapter for its digest."""
        self._queue.remove(index)
        if self.progress.hashed_outside:
            self._awaiting_digest.add(index)
            return [DigestNeeded(index)]
        return self._file_complete(index, self.progress.digest(index))

    def _file_complete(self, index: int, digest: bytes) -> list[ReceiverAction]:
        self.progress.verify(index, digest)
        self._send(Verified(index, digest))
        actions: list[ReceiverAction] = [FileVerified(index)]
        if self.progress.complete:
            self._send(Done())
            actions.append(TransferComplete())
        return actions


def _overstep(what: str) -> RemoteProtocolError:
    return RemoteProtocolError(
        f"The sender sent {what}.",
        hint="Nothing past the announced size was written; verified files were kept.",
    )
