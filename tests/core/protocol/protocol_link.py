"""Two transfer ends joined by an in-memory link that delays, splits, and can be cut.

Pure and synchronous, so it runs under Pyodide too. Each ``tick`` moves at most ``per_tick``
bytes each way, in pieces of ``piece`` bytes (so frames arrive split), after ``delay`` ticks in
flight. ``cut`` drops the connection: whatever was in flight is lost, both sessions are thrown
away, and ``reconnect`` starts fresh ones (the receiver keeps its progress and its disk).

``OutsideLink`` moves the same bytes the way the browser does: the sender takes whole spans
(``take_span``) and frames their DATA itself, the receiver peels DATA frames off before the
session sees them, hands over only their headers (``accept_data``) and hashes outside.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field

from syncoxide.protocol.events import Data
from syncoxide.protocol.frames import DATA_HEADER, HEADER, encode_event, split_frame
from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.receiving import (
    DigestNeeded,
    FileVerified,
    ManifestReady,
    ReceiverAction,
    ReceiverProgress,
    ReceiverSession,
    TransferComplete,
    WriteChunk,
)
from syncoxide.protocol.sending import SenderSession, TransferConfirmed

TRANSFER_ID = bytes(range(16))


def manifest_of(files: dict[str, bytes], folders: tuple[str, ...] = ()) -> Manifest:
    entries = tuple(
        FileEntry(path, len(content), hashlib.sha256(content).digest())
        for path, content in files.items()
    )
    return Manifest(entries, folders)


@dataclass
class Wire:
    delay: int = 2
    piece: int = 7000
    in_flight: deque[tuple[int, bytes]] = field(default_factory=deque)

    def put(self, now: int, data: bytes) -> None:
        for start in range(0, len(data), self.piece):
            self.in_flight.append((now + self.delay, data[start : start + self.piece]))

    def take(self, now: int) -> bytes:
        out = bytearray()
        while self.in_flight and self.in_flight[0][0] <= now:
            out += self.in_flight.popleft()[1]
        return bytes(out)


@dataclass
class Link:
    files: dict[str, bytes]
    chunk_size: int = 16 * 1024
    window: int = 64 * 1024
    delay: int = 2
    now: int = 0
    disk: dict[int, bytearray] = field(default_factory=dict)
    final: dict[str, bytes] = field(default_factory=dict)
    kept: dict[int, bytes] = field(default_factory=dict)
    writes: list[tuple[int, int, int]] = field(default_factory=list)
    connections: int = 0
    complete: bool = False
    sender_confirmed: bool = False

    def __post_init__(self) -> None:
        self.manifest = manifest_of(self.files)
        self.progress = self.new_progress()
        self.reconnect()

    def new_progress(self) -> ReceiverProgress:
        return ReceiverProgress(TRANSFER_ID)

    def reconnect(self) -> None:
        self.connections += 1
        self.to_sender, self.to_receiver = Wire(self.delay), Wire(self.delay)
        self.sender = SenderSession(self.manifest, TRANSFER_ID, chunk_size=self.chunk_size)
        self.receiver = ReceiverSession(self.progress, window=self.window)
        self.to_sender.put(self.now, self.receiver.data_to_send())

    def cut(self) -> int:
        """Drop the connection; return how many bytes were lost in flight."""
        lost = sum(len(d) for _, d in self.to_sender.in_flight + self.to_receiver.in_flight)
        self.to_sender.in_flight.clear()
        self.to_receiver.in_flight.clear()
        return lost

    def tick(self) -> None:
        self.now += 1
        for notice in self.sender.receive(self.to_sender.take(self.now)):
            self.sender_confirmed |= isinstance(notice, TransferConfirmed)
        self.to_receiver.put(self.now, self.send_data())
        self.deliver(self.to_receiver.take(self.now))
        self.to_sender.put(self.now, self.receiver.data_to_send())

    def content_of(self, file_index: int, offset: int, length: int) -> bytes:
        return self.files[self.manifest.files[file_index].path][offset : offset + length]

    def send_data(self) -> bytes:
        while (read := self.sender.next_read()) is not None:
            self.sender.send_chunk(read, self.content_of(read.file_index, read.offset, read.length))
        return self.sender.data_to_send()

    def deliver(self, data: bytes) -> None:
        self.apply(self.receiver.receive(data))

    def apply(self, actions: list[ReceiverAction]) -> None:
        for action in actions:
            if isinstance(action, ManifestReady):
                for index, part in self.kept.items():  # what a restarted receiver re-reads
                    if self.progress.offset(index) == 0:
                        self.progress.absorb(index, part)
                self.apply(self.receiver.request_missing())
            elif isinstance(action, WriteChunk):
                self.write(action.file_index, action.offset, action.payload)
            elif isinstance(action, FileVerified):
                entry = self.manifest.files[action.file_index]
                self.final[entry.path] = bytes(self.disk.pop(action.file_index, b""))
            elif isinstance(action, TransferComplete):
                self.complete = True

    def write(self, file_index: int, offset: int, payload: bytes) -> None:
        part = self.disk.setdefault(file_index, bytearray())
        assert len(part) == offset
        part += payload
        self.writes.append((file_index, offset, len(payload)))
        self.receiver.written(len(payload))

    def run(self, *, ticks: int = 10_000, until: int | None = None) -> None:
        for _ in range(ticks):
            if self.complete and self.sender_confirmed:
                return
            if until is not None and sum(len(p) for p in self.disk.values()) >= until:
                return
            self.tick()


@dataclass
class OutsideLink(Link):
    """The browser's way: DATA framed by the sender's adapter, peeled off and hashed by the
    receiver's (a restarted receiver re-hashes its kept bytes itself, as the worker does)."""

    def __post_init__(self) -> None:
        self.unparsed = bytearray()  # the receiver adapter's own frame splitter
        super().__post_init__()

    def new_progress(self) -> ReceiverProgress:
        return ReceiverProgress(TRANSFER_ID, hashed_outside=True)

    def reconnect(self) -> None:
        self.unparsed = bytearray()
        super().reconnect()

    def send_data(self) -> bytes:
        frames = [self.sender.data_to_send()]
        while (span := self.sender.take_span()) is not None:
            end = span.offset + span.length
            for at in range(span.offset, end, self.chunk_size):
                payload = self.content_of(span.file_index, at, min(self.chunk_size, end - at))
                frames.append(encode_event(Data(span.file_index, at, payload)))
        return b"".join(frames)

    def deliver(self, data: bytes) -> None:
        self.unparsed += data
        while (found := split_frame(self.unparsed)) is not None:
            kind, length = found
            frame = bytes(self.unparsed[:length])
            del self.unparsed[:length]
            if kind != 0x05:
                self.apply(self.receiver.receive(frame))
                continue
            index, offset = DATA_HEADER.unpack_from(frame, HEADER.size)
            payload = frame[HEADER.size + DATA_HEADER.size :]
            actions = self.receiver.accept_data(index, offset, len(payload))
            self.write(index, offset, payload)  # written only once accepted
            self.apply(actions)

    def apply(self, actions: list[ReceiverAction]) -> None:
        for action in actions:
            if isinstance(action, ManifestReady):
                for index, part in self.kept.items():
                    if self.progress.offset(index) == 0:
                        self.progress.absorbed_outside(index, len(part))
                self.apply(self.receiver.request_missing())
            elif isinstance(action, DigestNeeded):
                held = bytes(self.disk.get(action.file_index, b""))
                digest = hashlib.sha256(held).digest()
                self.apply(self.receiver.file_digest(action.file_index, digest))
            else:
                super().apply([action])
