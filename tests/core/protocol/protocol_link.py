"""Two transfer ends joined by an in-memory link that delays, splits, and can be cut.

Pure and synchronous, so it runs under Pyodide too. Each ``tick`` moves at most ``per_tick``
bytes each way, in pieces of ``piece`` bytes (so frames arrive split), after ``delay`` ticks in
flight. ``cut`` drops the connection: whatever was in flight is lost, both sessions are thrown
away, and ``reconnect`` starts fresh ones (the receiver keeps its progress and its disk).
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field

from syncoxide.protocol.manifest import FileEntry, Manifest
from syncoxide.protocol.receiving import (
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
        self.progress = ReceiverProgress(TRANSFER_ID)
        self.reconnect()

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
        while (read := self.sender.next_read()) is not None:
            content = self.files[self.manifest.files[read.file_index].path]
            self.sender.send_chunk(read, content[read.offset : read.offset + read.length])
        self.to_receiver.put(self.now, self.sender.data_to_send())
        self.apply(self.receiver.receive(self.to_receiver.take(self.now)))
        self.to_sender.put(self.now, self.receiver.data_to_send())

    def apply(self, actions: list[ReceiverAction]) -> None:
        for action in actions:
            if isinstance(action, ManifestReady):
                for index, part in self.kept.items():  # what a restarted receiver re-reads
                    if self.progress.offset(index) == 0:
                        self.progress.absorb(index, part)
                self.apply(self.receiver.request_missing())
            elif isinstance(action, WriteChunk):
                part = self.disk.setdefault(action.file_index, bytearray())
                assert len(part) == action.offset
                part += action.payload
                self.writes.append((action.file_index, action.offset, len(action.payload)))
                self.receiver.written(len(action.payload))
            elif isinstance(action, FileVerified):
                entry = self.manifest.files[action.file_index]
                self.final[entry.path] = bytes(self.disk.pop(action.file_index, b""))
            elif isinstance(action, TransferComplete):
                self.complete = True

    def run(self, *, ticks: int = 10_000, until: int | None = None) -> None:
        for _ in range(ticks):
            if self.complete and self.sender_confirmed:
                return
            if until is not None and sum(len(p) for p in self.disk.values()) >= until:
                return
            self.tick()
