"""The device sync session (syncoxide/engine/device_sync), the one the CLI daemon and the
browser both run: two devices with real Ed25519 keys and trust records joined by an in-memory
link, their folders on in-memory providers (the browser's ProviderFolder) or on disk (the
daemon's LocalFolder). A file crosses both ways hash-verified with only changed blocks moving;
a concurrent edit ends as both versions on both sides; a malformed index page is refused whole,
with nothing changed; an untrusted device is dropped before any index is shown; a bad block is
reported and changes nothing; the next batch's blocks are asked for before this one is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.binding import ChannelView
from syncoxide.devices.index import BLOCK_SIZE, FileEntry, Vector
from syncoxide.devices.records import RecordKind, sign_record
from syncoxide.devices.signing import Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.devices.wire import FrameReader, json_frames
from syncoxide.engine.device_sync.folder_port import BlockAsk, FetchBlock
from syncoxide.engine.device_sync.index_keeper import MemoryIndexStorage
from syncoxide.engine.device_sync.provider_folder import ProviderFolder
from syncoxide.engine.device_sync.session import DeviceSession, Meeting, SyncedFolder
from syncoxide.errors import (
    EmptySideError,
    NameRefusedError,
    NotFoundError,
    PermissionDeniedError,
    RemoteProtocolError,
)
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.native.devices.local_folder import LocalFolder
from syncoxide.providers.contract import Entry
from syncoxide.providers.memory import MemoryProvider

ED25519 = NativeEd25519()
VIEW = ChannelView(b"\x01" * 32, b"\x02" * 32)
ROOM = "room-1"


class Pipe:
    """One end of an in-memory ordered link."""

    def __init__(self, inbox: asyncio.Queue[bytes], outbox: asyncio.Queue[bytes]) -> None:
        self.inbox, self.outbox = inbox, outbox
        self.sent: list[bytes] = []

    async def send(self, frame: bytes) -> None:
        self.sent.append(frame)
        await self.outbox.put(frame)

    async def receive(self) -> bytes:
        return await self.inbox.get()


def pipes() -> tuple[Pipe, Pipe]:
    a: asyncio.Queue[bytes] = asyncio.Queue()
    b: asyncio.Queue[bytes] = asyncio.Queue()
    return Pipe(a, b), Pipe(b, a)


@dataclass
class Device:
    """A device whose folder is in memory (the browser's ProviderFolder) or, given a ``disk``
    directory, on disk (the CLI daemon's LocalFolder)."""

    name: str
    disk: Path | None = None
    me: Identity = field(init=False)
    ledger_held: TrustLedger = field(init=False)
    provider: MemoryProvider = field(default_factory=MemoryProvider)
    folder: ProviderFolder | LocalFolder = field(init=False)
    troubles: list[str] = field(default_factory=list)

    @property
    def ed25519(self) -> NativeEd25519:
        return ED25519

    async def setup(self) -> None:
        seed = SecretBytes(hashlib.sha256(self.name.encode()).digest())
        self.me = Identity(seed, await ED25519.public_key(seed), self.name)
        self.ledger_held = TrustLedger(self.me.public)
        if self.disk is not None:
            root = self.disk / self.name
            root.mkdir()
            journal = self.disk / f"{self.name}.json"
            self.folder = LocalFolder("shared", root, journal, self.me.device_id)
            return
        self.folder = self._provider_folder(MemoryIndexStorage())

    def _provider_folder(self, storage: MemoryIndexStorage) -> ProviderFolder:
        names = (f"{self.name}-{n}" for n in itertools.count())
        return ProviderFolder(
            "shared", self.provider, storage, self.me.device_id, fresh_name=lambda: next(names)
        )

    async def journalled(self) -> set[str]:
        """The paths the folder's journal holds (what a restart would start from)."""
        if isinstance(self.folder, LocalFolder):
            again = LocalFolder("shared", self.folder.root, self.folder.journal, "again")
            return set(again.index.entries)
        assert isinstance(self.folder.index_storage, MemoryIndexStorage)
        reloaded = self._provider_folder(self.folder.index_storage)
        await reloaded.load()
        return set(reloaded.index.entries)

    async def trust(self, other: Device) -> None:
        statement = self.ledger_held.statement(
            RecordKind.PAIR, other.me.public, name=other.name, issued_at=1, via=None
        )
        self.ledger_held.admit(await sign_record(statement, self.me.private, ED25519))

    async def ledger(self) -> TrustLedger:
        return self.ledger_held

    async def take(self, raws: list[bytes]) -> int:
        return sum([await self.ledger_held.take(raw, ED25519) for raw in raws])

    async def write(self, path: str, data: bytes, mtime_ns: int = 1) -> None:
        if isinstance(self.folder, LocalFolder):
            target = self.folder.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            os.utime(target, ns=(mtime_ns, mtime_ns))
        else:
            await self.provider.write(path, _chunks(data), mtime_ns=mtime_ns)

    async def read(self, path: str) -> bytes:
        if isinstance(self.folder, LocalFolder):
            try:
                return (self.folder.root / path).read_bytes()
            except FileNotFoundError:
                raise NotFoundError(f"{path} is not on disk") from None
        return b"".join([chunk async for chunk in self.provider.open_read(path)])

    async def delete(self, path: str) -> None:
        if isinstance(self.folder, LocalFolder):
            (self.folder.root / path).unlink()
        else:
            await self.provider.delete(path)

    async def contents(self) -> set[bytes]:
        """What every file outside the state folder holds."""
        if isinstance(self.folder, LocalFolder):
            state = self.folder.root / ".syncoxide"
            files = [p for p in self.folder.root.rglob("*") if p.is_file()]
            return {p.read_bytes() for p in files if state not in p.parents}
        found = set()
        async for page in self.provider.list_tree(prune=lambda p: p == ".syncoxide"):
            for entry in page:
                if entry.kind.value == "file":
                    found.add(await self.read(entry.path))
        return found

    def session(self, link: Pipe, peer: Device) -> DeviceSession:
        shared = SyncedFolder(self.folder, (peer.me.device_id,))
        holder: list[DeviceSession] = []

        async def changed(name: str, entries: list[FileEntry]) -> None:
            await holder[0].announce(name, entries)

        meeting = Meeting(self, self.me, peer.me.public, ROOM, VIEW, {"shared": shared}, changed,
                          trouble=self.troubles.append)  # fmt: skip
        holder.append(DeviceSession(link, meeting))
        return holder[0]


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture(params=["provider", "disk"])
def disk(request: pytest.FixtureRequest, tmp_path: Path) -> Path | None:
    """Where the devices keep their folders: None for in-memory providers."""
    return tmp_path if request.param == "disk" else None


async def two_devices(disk: Path | None = None) -> tuple[Device, Device]:
    laptop, browser = Device("laptop", disk), Device("browser", disk)
    for device in (laptop, browser):
        await device.setup()
    await laptop.trust(browser)
    await browser.trust(laptop)
    return laptop, browser


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


async def present(device: Device, path: str, data: bytes) -> bool:
    try:
        return await device.read(path) == data
    except Exception:
        return False


@dataclass
class Running:
    sessions: list[DeviceSession]
    links: tuple[Pipe, Pipe]
    tasks: list[asyncio.Task[None]]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def connect(a: Device, b: Device) -> Running:
    one, two = pipes()
    sessions = [a.session(one, b), b.session(two, a)]
    return Running(sessions, (one, two), [asyncio.create_task(s.run()) for s in sessions])


async def rescan(device: Device, running: Running, index: int) -> None:
    async with running.sessions[index].folders["shared"].lock:  # as the daemon scans
        changed = await device.folder.scan()
    await running.sessions[index].announce("shared", changed)


def test_files_cross_both_ways_and_an_edit_moves_only_its_block(disk: Path | None) -> None:
    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        big = bytes(range(256)) * (3 * BLOCK_SIZE // 256)  # three blocks
        await laptop.write("docs/big.bin", big)
        await laptop.folder.scan()
        running = await connect(laptop, browser)
        try:
            await until(lambda: present(browser, "docs/big.bin", big))
            edited = big[:BLOCK_SIZE] + b"x" * BLOCK_SIZE + big[2 * BLOCK_SIZE :]
            await browser.write("docs/big.bin", edited, mtime_ns=5)
            await browser.write("new.txt", b"from the browser", mtime_ns=6)
            sent_before = sum(len(f) for f in running.links[1].sent)
            await rescan(browser, running, 1)
            await until(lambda: present(laptop, "docs/big.bin", edited))
            await until(lambda: present(laptop, "new.txt", b"from the browser"))
            sent = sum(len(f) for f in running.links[1].sent) - sent_before
            assert BLOCK_SIZE <= sent < 2 * BLOCK_SIZE  # one changed block, not the file
        finally:
            await running.stop()

    asyncio.run(scenario())


def test_a_concurrent_edit_ends_as_both_versions_on_both_devices(disk: Path | None) -> None:
    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        await laptop.write("notes.txt", b"first")
        await laptop.folder.scan()
        running = await connect(laptop, browser)
        await until(lambda: present(browser, "notes.txt", b"first"))
        await running.stop()
        await laptop.write("notes.txt", b"laptop's edit", mtime_ns=10)
        await browser.write("notes.txt", b"browser's edit", mtime_ns=20)
        await laptop.folder.scan()
        await browser.folder.scan()
        running = await connect(laptop, browser)
        try:
            for device in (laptop, browser):
                await until(lambda d=device: _holds_both(d))  # type: ignore[misc]
            assert await laptop.read("notes.txt") == b"browser's edit"  # the later edit wins
        finally:
            await running.stop()

    asyncio.run(scenario())


async def _holds_both(device: Device) -> bool:
    return await device.contents() == {b"laptop's edit", b"browser's edit"}


def test_a_malformed_index_page_is_refused_whole_and_nothing_changes(disk: Path | None) -> None:
    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        await browser.write("keep.txt", b"kept")
        await browser.folder.scan()
        before = dict(browser.folder.index.entries)
        ours, theirs = pipes()
        session = browser.session(ours, laptop)
        task = asyncio.create_task(session.run())
        peer = laptop.session(theirs, browser)
        await peer._authenticate()  # the genuine device, then a bad page
        await peer._trade_records()
        good = {"path": "fine.txt", "size": 0, "mtime_ns": 1, "deleted": False,
                "version": {"x": 1}, "blocks": [], "modified_by": "x"}  # fmt: skip
        bad = {**good, "path": "../outside.txt"}
        for frame in json_frames({"type": "index", "folder": "shared", "entries": [good, bad]}):
            await theirs.send(frame)
        with pytest.raises(RemoteProtocolError, match=r"Refused the path .*outside"):
            await asyncio.wait_for(task, 5)
        assert browser.folder.index.entries == before
        assert await browser.read("keep.txt") == b"kept"
        with pytest.raises(NotFoundError):  # the good entry of the page was not taken either
            await browser.read("fine.txt")

    asyncio.run(scenario())


def test_a_device_that_is_not_trusted_is_dropped_before_any_index(disk: Path | None) -> None:
    async def scenario() -> None:
        _, browser = await two_devices(disk)
        stranger = Device("stranger", disk)
        await stranger.setup()
        await stranger.trust(browser)  # it trusts the browser; the browser never paired with it
        await browser.write("private.txt", b"secret")
        await browser.folder.scan()
        ours, theirs = pipes()
        session = browser.session(ours, stranger)
        session.folders["shared"] = SyncedFolder(browser.folder, (stranger.me.device_id,))
        task = asyncio.create_task(session.run())
        answer = stranger.session(theirs, browser)
        with pytest.raises(PermissionDeniedError):
            await asyncio.gather(task, answer._authenticate())
        reader = FrameReader()
        kinds = [m.get("type") for m in map(reader.feed, ours.sent) if isinstance(m, dict)]
        assert "index" not in kinds

    asyncio.run(scenario())


def test_many_small_files_and_a_file_past_the_prefetch_arrive_whole(
    monkeypatch: pytest.MonkeyPatch, disk: Path | None
) -> None:
    from syncoxide.engine.device_sync import pull as session_module

    # Small limits, so the batch's prefetch runs out and the window fetch is exercised.
    monkeypatch.setattr(session_module, "PREFETCH_BYTES", 2 * BLOCK_SIZE + 1000)
    monkeypatch.setattr(session_module, "WINDOW_BLOCKS", 3)

    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        large = b"".join(bytes([n]) * BLOCK_SIZE for n in range(10)) + b"tail"
        await laptop.write("large.bin", large)
        small = {f"small/{n:03}.txt": f"file {n}".encode() for n in range(60)}
        for path, data in small.items():
            await laptop.write(path, data)
        await laptop.folder.scan()
        running = await connect(laptop, browser)
        try:
            await until(lambda: present(browser, "large.bin", large))
            for path, data in small.items():
                await until(lambda p=path, d=data: present(browser, p, d))  # type: ignore[misc]
            wants = [m for m in map(FrameReader().feed, running.links[1].sent)
                     if isinstance(m, dict) and m["type"] == "want"]  # fmt: skip
            assert len(wants) < 10  # asked for in batches and windows, not block by block
        finally:
            await running.stop()

    asyncio.run(scenario())


def test_a_revocation_made_during_a_session_reaches_the_peer_and_ends_the_trust(
    disk: Path | None,
) -> None:
    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        running = await connect(laptop, browser)
        try:
            await until(lambda: _has_sent(running.links[1], "index"))
            assert await running.sessions[1].refresh_trust()  # nothing changed: still trusted
            statement = browser.ledger_held.statement(
                RecordKind.REVOKE, laptop.me.public, name="laptop", issued_at=2, via=None
            )
            browser.ledger_held.admit(await sign_record(statement, browser.me.private, ED25519))
            assert not await running.sessions[1].refresh_trust()
            await until(lambda: _knows_revoked(laptop, browser))
        finally:
            await running.stop()

    asyncio.run(scenario())


async def _has_sent(link: Pipe, kind: str) -> bool:
    reader = FrameReader()
    return any(isinstance(m, dict) and m["type"] == kind for m in map(reader.feed, link.sent))


async def _knows_revoked(laptop: Device, browser: Device) -> bool:
    return any(
        r.kind is RecordKind.REVOKE and r.signer == browser.me.public
        for r in laptop.ledger_held.records()
    )


def test_a_folder_that_lists_nothing_is_not_taken_as_deleting_everything(
    disk: Path | None,
) -> None:
    async def scenario() -> None:
        _, browser = await two_devices(disk)
        await browser.write("a.txt", b"a")
        await browser.write("b/c.txt", b"c")
        await browser.folder.scan()
        before = dict(browser.folder.index.entries)
        for path in ("a.txt", "b/c.txt"):
            await browser.delete(path)
        with pytest.raises(EmptySideError, match="lists no files, but 2 were synced"):
            await browser.folder.scan()
        assert browser.folder.index.entries == before  # no deletion to announce
        await browser.write("a.txt", b"a again", mtime_ns=9)
        assert [e.path for e in await browser.folder.scan() if e.deleted] == ["b/c.txt"]

    asyncio.run(scenario())


def test_a_bad_block_is_reported_and_changes_nothing_while_other_files_arrive(
    disk: Path | None,
) -> None:
    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        await laptop.write("bad.bin", b"announced content")
        await laptop.write("good.txt", b"fine")
        await laptop.folder.scan()
        serve = laptop.folder.serve_blocks

        async def lying(asks: Sequence[BlockAsk]) -> list[bytes | None]:
            held = await serve(asks)
            return [b"not it" if path == "bad.bin" else data
                    for (path, _, _), data in zip(asks, held, strict=True)]  # fmt: skip

        laptop.folder.serve_blocks = lying  # type: ignore[method-assign]
        running = await connect(laptop, browser)
        try:
            await until(lambda: present(browser, "good.txt", b"fine"))
            await until(lambda: _async(bool(browser.troubles)))
            [trouble] = browser.troubles
            assert trouble.startswith("shared: bad.bin: ") and "does not match its hash" in trouble
            with pytest.raises(NotFoundError):
                await browser.read("bad.bin")
            assert "bad.bin" not in browser.folder.index.entries
            assert not running.tasks[1].done()  # the session goes on
        finally:
            await running.stop()

    asyncio.run(scenario())


def test_a_name_peers_refuse_stays_on_its_device_and_the_other_files_arrive(
    disk: Path | None,
) -> None:
    """A backslash is an ordinary character in a Linux file name, but every peer refuses it (a
    path separator elsewhere): announced, it would get the whole index page refused and stop
    the sync of every other file. It is kept here, told once, and never announced."""

    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        await laptop.write("back\\slash.txt", b"a Linux name")
        await laptop.write("good.txt", b"fine")
        assert [e.path for e in await laptop.folder.scan()] == ["good.txt"]
        assert "back\\slash.txt" not in laptop.folder.index.entries
        assert laptop.folder.kept_here() == ["back\\slash.txt"]
        running = await connect(laptop, browser)
        try:
            await until(lambda: present(browser, "good.txt", b"fine"))
            assert not any(task.done() for task in running.tasks)  # both sessions go on
            assert await laptop.read("back\\slash.txt") == b"a Linux name"
        finally:
            await running.stop()

    asyncio.run(scenario())


def test_a_name_this_storage_refuses_is_reported_and_the_other_files_arrive() -> None:
    """The browser's disk folder refuses a name the peer's disk takes (``NameRefusedError``,
    from the browser's "Name is not allowed"): that file is skipped and reported, the session
    goes on, nothing is deleted anywhere."""

    async def scenario() -> None:
        laptop, browser = await two_devices()
        write = browser.provider.write

        async def refusing(path: str, chunks: AsyncIterator[bytes], **options: Any) -> Entry:
            if path.endswith("CON.txt"):
                raise NameRefusedError(f"This folder cannot hold a file named {path!r}.")
            return await write(path, chunks, **options)

        browser.provider.write = refusing  # type: ignore[method-assign]
        await laptop.write("CON.txt", b"a name some disks refuse")
        await laptop.write("good.txt", b"fine")
        await laptop.folder.scan()
        running = await connect(laptop, browser)
        try:
            await until(lambda: present(browser, "good.txt", b"fine"))
            await until(lambda: _async(bool(browser.troubles)))
            assert browser.troubles[0].startswith("shared: CON.txt: This folder cannot hold")
            assert "CON.txt" not in browser.folder.index.entries
            assert not running.tasks[1].done()
            assert await laptop.read("CON.txt") == b"a name some disks refuse"
        finally:
            await running.stop()

    asyncio.run(scenario())


def test_the_next_batch_is_asked_for_while_this_one_is_written(
    monkeypatch: pytest.MonkeyPatch, disk: Path | None
) -> None:
    from syncoxide.engine.device_sync import pull

    monkeypatch.setattr(pull, "BATCH", 5)

    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        files = {f"f{n:02}.txt": f"file {n}".encode() for n in range(12)}
        for path, data in files.items():
            await laptop.write(path, data)
        await laptop.folder.scan()
        written = asyncio.Event()
        take = browser.folder.take

        async def slow_take(theirs: FileEntry, fetch: FetchBlock, *, version: Vector) -> bool:
            await written.wait()  # the first write of the first batch holds here
            return await take(theirs, fetch, version=version)

        monkeypatch.setattr(browser.folder, "take", slow_take)
        running = await connect(laptop, browser)
        try:
            await until(lambda: _async(len(_wants(running.links[1])) >= 2))
            await asyncio.sleep(0.1)  # give a third want the chance to (wrongly) go out
            asked = [block[1] for want in _wants(running.links[1]) for block in want["blocks"]]
            # Two batches of five asked for, while nothing is written yet; not the third.
            assert len(asked) == len(set(asked) & set(files)) == 10
            written.set()
            for path, data in files.items():
                await until(lambda p=path, d=data: present(browser, p, d))  # type: ignore[misc]
        finally:
            await running.stop()

    asyncio.run(scenario())


def _wants(link: Pipe) -> list[dict[str, Any]]:
    reader = FrameReader()
    return [m for m in map(reader.feed, link.sent) if isinstance(m, dict) and m["type"] == "want"]


async def _async(value: bool) -> bool:
    return value


def test_entries_taken_from_a_peer_are_not_announced_back_to_it(disk: Path | None) -> None:
    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        files = {f"f{n}.txt": f"file {n}".encode() for n in range(20)}
        for path, data in files.items():
            await laptop.write(path, data)
        await laptop.folder.scan()
        running = await connect(laptop, browser)
        try:
            for path, data in files.items():
                await until(lambda p=path, d=data: present(browser, p, d))  # type: ignore[misc]
            await browser.write("reply.txt", b"made here", mtime_ns=7)
            await rescan(browser, running, 1)
            await until(lambda: present(laptop, "reply.txt", b"made here"))
            told = [entry["path"] for entry in _index_entries(running.links[1])]
            assert told == ["reply.txt"]  # not the twenty files it took from the laptop
        finally:
            await running.stop()

    asyncio.run(scenario())


def _index_entries(link: Pipe) -> list[dict[str, Any]]:
    reader = FrameReader()
    messages = [m for m in map(reader.feed, link.sent) if isinstance(m, dict)]
    return [e for m in messages if m["type"] == "index" for e in m["entries"]]


def test_the_index_is_journalled_once_the_pull_catches_up_not_after_every_batch(
    monkeypatch: pytest.MonkeyPatch, disk: Path | None
) -> None:
    from syncoxide.engine.device_sync import pull

    monkeypatch.setattr(pull, "BATCH", 5)

    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        files = {f"f{n:02}.txt": f"file {n}".encode() for n in range(30)}
        for path, data in files.items():
            await laptop.write(path, data)
        await laptop.folder.scan()
        saves: list[int] = []
        save = browser.folder.save

        async def counted_save() -> None:
            entries = len(browser.folder.index.entries)
            await save()
            saves.append(entries)

        monkeypatch.setattr(browser.folder, "save", counted_save)
        running = await connect(laptop, browser)
        try:
            await until(lambda: _async(saves == [30]))  # six batches, one save at the end
            assert await browser.journalled() == set(files)
        finally:
            await running.stop()

    asyncio.run(scenario())


def test_a_change_announced_before_the_peer_proved_itself_waits_for_the_full_index(
    disk: Path | None,
) -> None:
    """The daemon announces to every session it holds, one still waiting for the peer's
    ``auth`` too (a reconnect under load): nothing but ``auth`` and ``records`` may go first."""

    async def scenario() -> None:
        laptop, browser = await two_devices(disk)
        one, two = pipes()
        early, late = laptop.session(one, browser), browser.session(two, laptop)
        tasks = [asyncio.create_task(early.run())]
        await until(lambda: _has_sent(one, "auth"))  # the laptop now waits for the browser
        await laptop.write("made-meanwhile.txt", b"made while the peer was connecting")
        async with early.folders["shared"].lock:
            changed = await laptop.folder.scan()
        await early.announce("shared", changed)
        statement = laptop.ledger_held.statement(
            RecordKind.INTRODUCE, browser.me.public, name="browser", issued_at=3, via=None
        )
        laptop.ledger_held.admit(await sign_record(statement, laptop.me.private, ED25519))
        assert await early.refresh_trust()
        assert [_kind(frame) for frame in one.sent] == ["auth"]
        tasks.append(asyncio.create_task(late.run()))
        try:
            await until(lambda: present(browser, "made-meanwhile.txt", b"made while the peer "
                                        b"was connecting"))  # fmt: skip
            await until(lambda: _holds(browser, statement.kind, laptop.me.public))
            assert not any(task.done() for task in tasks)  # neither side saw a protocol error
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(scenario())


def _kind(frame: bytes) -> str:
    message = FrameReader().feed(frame)
    return str(message["type"]) if isinstance(message, dict) else "blocks"


async def _holds(device: Device, kind: RecordKind, signer: bytes) -> bool:
    return any(r.kind is kind and r.signer == signer for r in device.ledger_held.records())
