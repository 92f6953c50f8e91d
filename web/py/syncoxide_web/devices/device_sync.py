"""This browser as a syncing device, while its page is open: the browser's side of
``syncoxide devices run``.

Each folder shared in the Devices view is a browser folder (OPFS, ``platform/opfs.py``) or a
folder on this computer's disk picked with the File System Access API (``picked_folder.py``),
kept in step by the core's session (``syncoxide/engine/device_sync``), the same protocol the CLI
daemon speaks. Only the IO is the browser's: either folder is a ``DirectoryHandleProvider``, its
index a snapshot and a journal in IndexedDB (``index_storage.py``), the link the page's
RTCDataChannel. A picked folder joins only once the browser grants read-write access to it
(``waiting_for_access`` lists the others, for the view to offer "Allow access").

For each peer, one task meets it in the pair's own room (kept while pairing, or the pair's
device room for a device met through an introduction: ``meetings.py``), as the daemon does:
the smaller public key takes the "sender" role and orders the channel binding; when the
connection ends it waits a moment and meets again. Each folder is scanned whole once, then
where the browser says it changed (``FileSystemObserver``, ``platform/folder_observer.py``:
only the paths its records name, a file one stat), and whole again every
``WHOLE_SCAN_EVERY`` seconds as a net for what no record named; in a browser without change
events it is scanned whole every ``RESCAN_EVERY`` seconds, or after as long again as the
last scan took, if longer. A file whose size and modification time are as indexed is not
read again. What a scan or a pull changed is announced to every connected peer sharing the
folder. A picked folder carries a
mark (its ``picked_id``, ``ProviderFolder``'s ``mark``): a folder deleted and made again at the
same place is refused, never scanned against the old index; picked anew, it starts a fresh one.

One tab syncs at a time (an exclusive Web Lock held while its page is open): two tabs would
meet the same device in the same room and write the same folders. Another tab waits and takes
over when that one closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pyodide.ffi import JsException

from syncoxide.devices.device_id import device_id
from syncoxide.devices.index import FileEntry
from syncoxide.devices.signing import Identity
from syncoxide.engine.device_sync.provider_folder import ProviderFolder
from syncoxide.engine.device_sync.session import DeviceSession, Meeting, SyncedFolder
from syncoxide.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    SyncoxideError,
)
from syncoxide_web.devices import picked_folder
from syncoxide_web.devices.channel_view import channel_view
from syncoxide_web.devices.index_storage import IndexedDbIndexStorage
from syncoxide_web.devices.meetings import fresh_meeting, meeting_for
from syncoxide_web.devices.store import BrowserDeviceStore, place_label
from syncoxide_web.p2p.channel import (
    BrowserChannel,
    BrowserSignaling,
    negotiate,
    watch_presence,
)
from syncoxide_web.platform.directory_provider import DirectoryHandleProvider
from syncoxide_web.platform.folder_observer import FolderObserver, watching
from syncoxide_web.platform.opfs import OpfsTextFile, open_opfs_folder
from syncoxide_web.platform.web_lock import exclusive

RESCAN_EVERY = 2.0
#: With change events, a whole scan this often still: a record the browser lost (it says so
#: with ``unknown``, but a disk it cannot watch says nothing) is caught within minutes.
WHOLE_SCAN_EVERY = 300.0
RECONNECT_AFTER = 2.0
SYNC_LOCK = "syncoxide-device-sync"
WAIT_SHOWN_AFTER = 1.0  # the lock is granted at once when no other tab holds it
LOOK_AGAIN_EVERY = 10.0  # for folders shared meanwhile in a tab that does not sync
#: The key under which this tab's own state is reported (not a device, not a folder).
THIS_TAB = ""

#: (device id, what is happening) for the view to show; ``failed`` marks an error.
Report = Callable[[str, str, bool], None]


@dataclass
class BrowserDeviceSync:
    store: BrowserDeviceStore
    report: Report

    def __post_init__(self) -> None:
        self.folders: dict[str, SyncedFolder] = {}
        self.handles: dict[str, Any] = {}  # picked folders' handles, by folder name
        self.waiting_for_access: set[str] = set()  # picked folders not granted (yet)
        self._places: dict[str, str] = {}  # the place each open folder was opened at
        self._picking_up = asyncio.Lock()  # a share and the periodic look never open at once
        self.sessions: dict[str, tuple[DeviceSession, BrowserChannel]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Why each device's last connection ended, kept on screen while meeting it again.
        self._last_problem: dict[str, str] = {}
        self._leading = asyncio.Event()
        self._holder: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start syncing (once this tab holds the lock), or pick up newly shared folders."""
        if self._holder is None:
            self._holder = asyncio.create_task(self._sync_in_one_tab())
        elif self._leading.is_set():
            await self._pick_up()

    async def _sync_in_one_tab(self) -> None:
        shown: list[bool] = []

        def note_waiting() -> None:
            shown.append(True)
            self.report(THIS_TAB, "Another tab of this app syncs with your devices; this one "
                        "takes over when that one closes.", False)  # fmt: skip

        waiting = asyncio.get_running_loop().call_later(WAIT_SHOWN_AFTER, note_waiting)
        async with exclusive(SYNC_LOCK):
            waiting.cancel()
            if shown:  # the note was shown: take it back
                self.report(THIS_TAB, "This tab now syncs with your devices.", False)
            self._leading.set()
            while True:  # held while the page is open; folders shared in other tabs join
                try:
                    await self._pick_up()
                except SyncoxideError as error:
                    self.report(THIS_TAB, f"Syncing could not start: {error.message}", True)
                await asyncio.sleep(LOOK_AGAIN_EVERY)

    async def _pick_up(self) -> None:
        """Open newly shared folders and meet their devices; running ones are left alone."""
        async with self._picking_up:
            await self._pick_up_now()

    async def _pick_up_now(self) -> None:
        if not await self.store.has_identity():
            return
        me = await self.store.identity()
        for name, config in (await self.store.shared_folders()).items():
            try:
                await self._open(name, config, me)
            except SyncoxideError as error:  # this folder waits; the others sync
                self.report(name, f"not synced: {error.message} {error.hint or ''}", True)
        for peer in sorted({p for shared in self.folders.values() for p in shared.peers}):
            if peer not in self._tasks:
                self._tasks[peer] = asyncio.create_task(self._meet_forever(me, peer))

    async def _open(self, name: str, config: dict[str, Any], me: Identity) -> None:
        peers = tuple(str(p) for p in config.get("with", []))
        place = _place_key(config)
        if name in self.folders and self._places[name] == place:
            self.folders[name].peers = peers
            return
        if name in self.folders:  # picked anew in this tab: the old index must stop at once
            await self._close(name)
        provider = await self._provider(name, config)
        key = _index_key(name, place)
        storage = IndexedDbIndexStorage(key, OpfsTextFile(f"{key}.json"))
        folder = ProviderFolder(name, provider, storage, me.device_id,
                                fresh_name=lambda: secrets.token_hex(4),
                                mark=config.get("picked_id"))  # fmt: skip
        await folder.load()
        self.folders[name] = SyncedFolder(folder, peers)
        self._places[name] = place
        self._tasks[f"scan:{name}"] = asyncio.create_task(self._rescan_forever(name, folder))

    async def _close(self, name: str) -> None:
        """Stop syncing a folder whose place changed (picked anew): its scans stop, and the
        devices sharing it are met again, so they sync with the new folder's fresh index.
        The old folder's handle may now reach the new folder (a folder made again at the same
        place): scanned against the old index, the files it lacks would count as deleted."""
        shared = self.folders[name]
        async with shared.lock:  # not in the middle of a scan or of applying a peer's files
            self.folders.pop(name)
            self.handles.pop(name, None)
            self._places.pop(name, None)
            scanning = self._tasks.pop(f"scan:{name}", None)
            if scanning is not None:
                scanning.cancel()
        for peer in shared.peers:
            if peer in self.sessions:
                self.sessions[peer][1].abort()

    async def _provider(self, name: str, config: dict[str, Any]) -> DirectoryHandleProvider:
        if "picked_folder" not in config:
            return await open_opfs_folder(str(config["browser_folder"]))
        handle = await picked_folder.recall(name)
        if handle is None:
            raise NotFoundError(
                f"This browser no longer holds {place_label(config)}.",
                hint="Pick the folder again, with the same folder name.",
            )
        try:
            await picked_folder.check_usable(name, handle)
        except PermissionDeniedError:
            self.waiting_for_access.add(name)
            raise
        self.waiting_for_access.discard(name)
        self.handles[name] = handle
        return await picked_folder.open_folder(name, handle)

    async def broadcast(self, name: str, entries: list[FileEntry]) -> None:
        for session, _ in list(self.sessions.values()):
            with contextlib.suppress(SyncoxideError):
                await session.announce(name, entries)

    async def trust_changed(self) -> None:
        """Spread a record made here (a revocation) to every connected device at once, and
        hang up on a device this browser no longer trusts."""
        for session, link in list(self.sessions.values()):
            with contextlib.suppress(SyncoxideError):
                if not await session.refresh_trust():
                    await link.wait_sent(2.0)
                    link.abort()

    async def _rescan_forever(self, name: str, folder: ProviderFolder) -> None:
        observer: FolderObserver | None = None
        paths: set[str] | None = None  # None: the whole folder
        try:
            while True:
                if observer is None or observer.stopped:  # (again, once the folder is back)
                    if observer is not None:
                        observer.close()
                    observer = await watching(_root_handle(folder))
                    paths = None  # what changed before the events began: a whole scan sees
                started = time.monotonic()
                await self._scan(name, folder, paths)
                if observer is None:
                    # A whole scan looks at every file (bench/devices_picked_rescan.py: 1,000 take
                    # about 1.3 s): waiting as long again keeps a big folder's polling to half
                    # the page.
                    await asyncio.sleep(max(RESCAN_EVERY, time.monotonic() - started))
                    continue
                named, whole = await observer.next_change(WHOLE_SCAN_EVERY)
                paths = None if whole else named
        finally:
            if observer is not None:
                observer.close()

    async def _scan(self, name: str, folder: ProviderFolder, paths: set[str] | None) -> None:
        """Scan ``paths`` of the folder (None: all of it) and announce what changed; a
        failure is said beside the folder, which is scanned again later."""
        shared = self.folders[name]
        try:
            if name in self.handles:  # a clear word when access or the folder is lost
                await picked_folder.check_usable(name, self.handles[name])
            async with shared.lock:
                if paths is None:
                    changed = await folder.scan()
                else:
                    changed = await folder.scan_paths(paths)
            if changed:
                await self.broadcast(name, changed)
        except SyncoxideError as error:
            if isinstance(error, PermissionDeniedError):  # offer "Allow access" again
                self.waiting_for_access.add(name)
            self.report(name, f"not synced: {error.message} {error.hint or ''}", True)
        except JsException as error:  # the browser refused the folder (deleted meanwhile?)
            self.report(name, f"not synced: the browser could not read it ({error}).", True)
        else:
            self.waiting_for_access.discard(name)
            self.report(name, _kept_here_note(folder.kept_here()), False)

    async def _meet_forever(self, me: Identity, peer: str) -> None:
        while True:
            try:
                await self._meet(me, peer)
            except (SyncoxideError, TimeoutError) as error:
                text = error.message if isinstance(error, SyncoxideError) else "stopped answering"
                self._last_problem[peer] = text
                self.report(peer, f"disconnected: {text}", True)
            await asyncio.sleep(RECONNECT_AFTER)

    def _not_taken(self, peer: str, problem: str) -> None:
        """A file of the peer's not written here (a name this folder refuses, a bad block):
        said beside the device; the file stays on the peer and is asked for again later."""
        self.report(peer, f"connected: syncing, but not taken: {problem}", True)

    async def _meet(self, me: Identity, peer: str) -> None:
        ledger = await self.store.ledger()
        peer_key = next((k for k in ledger.trusted() if device_id(k) == peer), None)
        if peer_key is None:
            self.report(peer, "not trusted any more: not syncing", True)
            await asyncio.sleep(RECONNECT_AFTER * 5)
            return
        meeting = await meeting_for(self.store, peer_key)
        offerer = me.public < peer_key
        problem = self._last_problem.get(peer)
        last = f" (disconnected: {problem})" if problem else ""
        self.report(peer, f"waiting for the device to come online{last}", bool(problem))
        role = "sender" if offerer else "receiver"
        signal = await _join(self.store, meeting, peer_key, role)
        try:
            link = await negotiate(signal, offer_now=False, wait=None, whole=True)
            presence = asyncio.create_task(watch_presence(signal, link))
            try:
                folders = {n: s for n, s in self.folders.items() if peer in s.peers}
                session = DeviceSession(link, Meeting(
                    self.store, me, peer_key, meeting["room"], channel_view(link, offerer=offerer),
                    folders, self.broadcast, partial(self._not_taken, peer),
                ))  # fmt: skip
                self.sessions[peer] = (session, link)
                self._last_problem.pop(peer, None)
                self.report(peer, "connected: syncing", False)
                await session.run()
            finally:
                self.sessions.pop(peer, None)
                presence.cancel()
                link.close()
        finally:
            signal.close()


async def _join(
    store: BrowserDeviceStore, meeting: dict[str, str], peer_key: bytes, role: str
) -> BrowserSignaling:
    """Join the kept room; if the server refuses its token (its room secret changed), ask for
    the pair's device room once and join that, as the CLI does."""
    try:
        return await BrowserSignaling.join(meeting["server"], meeting["room"], meeting["token"],
                                           role)  # fmt: skip
    except AuthenticationError:
        fresh = await fresh_meeting(store, peer_key, meeting["server"])
        return await BrowserSignaling.join(fresh["server"], fresh["room"], fresh["token"], role)


def _kept_here_note(paths: list[str]) -> str:
    if not paths:
        return ""
    shown = ", ".join(repr(path) for path in paths[:3]) + (" and more" if len(paths) > 3 else "")
    refused = "other devices refuse their names (a backslash or a control character)"
    return f"{len(paths)} file(s) not synced: {refused}: {shown}. They stay here; rename them."


def _place_key(config: dict[str, Any]) -> str:
    """What keys a shared folder's index: the browser folder's name, as before picked folders
    existed (so their indexes keep their keys), or the picked folder's with the id it was
    picked with (``picked_folder.place_of``: another folder picked starts a fresh index)."""
    if "picked_folder" in config:
        picked_id = config.get("picked_id")  # none in a place saved before ids were given
        return f"picked:{config['picked_folder']}" + (f":{picked_id}" if picked_id else "")
    return str(config["browser_folder"])


def _index_key(name: str, browser_folder: str) -> str:
    """The folder's key for its index (and the name its whole index had before the journal)."""
    key = hashlib.sha256(f"{name}\0{browser_folder}".encode()).hexdigest()[:24]
    return f"device-index-{key}"


def _root_handle(folder: ProviderFolder) -> Any:
    provider = folder.provider
    assert isinstance(provider, DirectoryHandleProvider)  # every folder here is one
    return provider.root_handle
