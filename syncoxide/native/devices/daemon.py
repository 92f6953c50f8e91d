"""``syncoxide devices run``: keep every shared folder in step with its devices until stopped.

For each peer that shares a folder with us, one task meets it in the pair's own room (made
while pairing, or the device room of two devices introduced to each other: meetings.py), opens
a WebRTC channel and runs the core's ``DeviceSession`` (``syncoxide/engine/device_sync``, the one
the browser runs too) over it, with the folders on disk (local_folder.py); when the connection
ends it waits a moment and meets again. A peer not trusted yet (an introduction not accepted) is
looked at again as soon as the trust records change. The smaller public key takes the room's
"sender" role. One watcher per folder (native/watch/tree_changes.py: inotify on Linux) names the
paths that changed, and those alone are rescanned; the whole folder is scanned at start, when
the watcher lost events (its queue overflowed), and every ``SAFETY_SCAN_EVERY`` seconds in case
a change slipped past it. What a scan or a pull changed is sent to every connected peer that
shares the folder.

Folders added, removed or changed with ``devices folders`` while it runs are taken as soon as
folders.json is saved (native/watch/file_saves.py): a new folder is opened and watched, a
removed one let go (its files stay), and a session with a peer whose folders changed is ended
so that both ends meet again with the new set (a session agrees on its folders when it starts).

A folder that is not the one its index describes (its mark, folder_mark.py, missing or
another's: deleted and made again, or replaced) is refused when opened and at any scan: it is
set aside (``_refused``), said so, left out of every session (its peers are met again without
it) and nothing of it is announced; so is a folder whose root is gone (deleted, moved away, its
drive unmounted). Its watches may have gone with it (inotify watches the old folder, not the
path), so the watcher stops and the folder's root alone is looked at every
``BACK_LOOK_EVERY`` seconds: once it is there again with its mark (put back, mounted again) and
its tree looks the same a second apart (a copy putting it back has finished), a new watch
starts with a full scan, which takes it back (``_take_back``) and meets its peers
again. Removing and adding it again (a new id, a fresh index) opens it anew.
Folders kept by earlier releases are given an id and marked when first opened (``adopt``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import sys
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from syncoxide.devices.device_id import device_id
from syncoxide.devices.index import FileEntry
from syncoxide.devices.signing import Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.engine.device_sync.session import DeviceSession, Meeting, SyncedFolder
from syncoxide.errors import FolderReplacedError, NotFoundError, SyncoxideError, TransportError
from syncoxide.native.devices.channel_auth import channel_view
from syncoxide.native.devices.folder_mark import adopt
from syncoxide.native.devices.folders import FolderBook, SharedFolder
from syncoxide.native.devices.local_folder import LocalFolder
from syncoxide.native.devices.meetings import join_meeting, meeting_for
from syncoxide.native.devices.store import TRUST_FILE, DeviceStore
from syncoxide.native.p2p.channel import ChannelLink, IcePolicy, negotiate
from syncoxide.native.p2p.signal import SignalingClient
from syncoxide.native.watch.file_saves import FileSaves
from syncoxide.native.watch.tree_changes import TreeChanges, tree_changes

# Syncthing rescans hourly when its watcher runs; a scan of 10,000 unchanged files costs ~0.1 s.
SAFETY_SCAN_EVERY = 600.0
RECONNECT_AFTER = 1.0
# A folder set aside (refused or gone): its root looked at this often, one stat and one small
# read, for it to be back; a healthy folder is never polled.
BACK_LOOK_EVERY = 1.0
UNTRUSTED_RETRY = 10.0
# trust.json and folders.json wake us when saved (inotify); looked at this often anyway.
CONFIG_CHECK_EVERY = 60.0
Stamp = tuple[int, int, int] | None  # FolderBook.stamp


@dataclass
class Daemon:
    store: DeviceStore
    ice_servers: list[str] = field(default_factory=list)
    folders: dict[str, SyncedFolder] = field(default_factory=dict)
    sessions: dict[str, tuple[DeviceSession, ChannelLink]] = field(default_factory=dict)
    # Replaced by a fresh one each time the trust records change, waking whoever waited.
    _trust_changed: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    # What folders.json said when last read, each folder's watcher, and each peer's meetings.
    _configs: dict[str, SharedFolder] = field(default_factory=dict, init=False)
    _watchers: dict[str, asyncio.Task[None]] = field(default_factory=dict, init=False)
    _meetings: dict[str, asyncio.Task[None]] = field(default_factory=dict, init=False)
    # Folders opened but refused (not the folder their index describes): in no session.
    _refused: dict[str, SyncedFolder] = field(default_factory=dict, init=False)

    async def run(self) -> None:
        me = await self.store.identity()
        book = FolderBook(self.store.folder)
        config = (TRUST_FILE, FolderBook.FILE)
        async with FileSaves(book.folder, config, longest=CONFIG_CHECK_EVERY, poll=1.0) as saves:
            stamp = book.stamp()  # read once saves are watched: none goes unseen
            failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._take_folders(me, book.folders(), failed)
            if not self._configs:
                raise SyncoxideError(
                    "No folders to sync.",
                    hint="Add one: syncoxide devices folders add NAME PATH --with ID",
                )
            self._say_syncing()
            tasks = [
                asyncio.create_task(self._watch_trust(saves)),
                asyncio.create_task(self._watch_folders(me, stamp, saves, failed)),
            ]
            try:
                await asyncio.gather(*tasks, failed)  # a watcher or a meeting that breaks ends it
            finally:
                for task in [*tasks, *self._watchers.values(), *self._meetings.values()]:
                    task.cancel()

    def _say_syncing(self) -> None:
        print(f"Syncing {len(self.folders)} folder(s) with {len(self._meetings)} device(s).",
              flush=True)  # fmt: skip

    async def _watch_folders(
        self, me: Identity, stamp: Stamp, saves: FileSaves, failed: asyncio.Future[None]
    ) -> None:
        """Take folders added, removed or changed (``devices folders``) while we run."""
        book = FolderBook(self.store.folder)
        while True:
            await saves.wait(FolderBook.FILE)
            if (now_stamp := book.stamp()) == stamp:
                continue
            stamp = now_stamp
            try:
                configs = book.folders()
            except SyncoxideError as error:  # e.g. edited by hand and not valid JSON
                _say(f"{error.message} Still syncing the folders read before.")
                continue
            if configs == self._configs:
                continue  # saved without a change (an id given to an older folder: adopt)
            self._meet_again(self._take_folders(me, configs, failed))
            self._say_syncing()

    def _take_folders(
        self, me: Identity, configs: dict[str, SharedFolder], failed: asyncio.Future[None]
    ) -> set[str]:
        """Open new folders, let removed ones go, take new peers and modes, meet new peers;
        returns the peers whose folders changed."""
        changed: set[str] = set()
        for name in sorted(self._configs.keys() | configs.keys()):
            old, new = self._configs.get(name), configs.get(name)
            if old != new:
                changed |= {*(old.peers if old else ()), *(new.peers if new else ())}
                self._take_folder(me, name, new, failed)
        opened = [*self.folders.values(), *self._refused.values()]
        peers = {peer for shared in opened for peer in shared.peers}
        for peer in self._meetings.keys() - peers:
            self._meetings.pop(peer).cancel()
        for peer in sorted(peers - self._meetings.keys()):
            self._meetings[peer] = _watched(self._meet_forever(me, peer), failed)
        return changed

    def _take_folder(
        self, me: Identity, name: str, new: SharedFolder | None, failed: asyncio.Future[None]
    ) -> None:
        old = self._configs.pop(name, None)
        if old is not None and (
            new is None or (new.path, new.folder_id) != (old.path, old.folder_id)
        ):
            self._watchers.pop(name).cancel()  # its files stay where they are
            self.folders.pop(name, None)
            self._refused.pop(name, None)
        if new is None:
            return
        book = FolderBook(self.store.folder)
        new = adopt(book, new)
        self._configs[name] = new
        if (shared := self.folders.get(name) or self._refused.get(name)) is not None:
            shared.peers, shared.mode = new.peers, new.mode  # the same folder, other peers or mode
            return
        local = LocalFolder(name, new.path, book.index_path(name), me.device_id,
                            mark=new.folder_id)  # fmt: skip
        local.forget_scratch()
        shared = SyncedFolder(local, new.peers, new.mode)
        try:
            local.refuse_if_replaced()
            self.folders[name] = shared
        except SyncoxideError as error:  # not its index's folder, or it cannot hold a mark
            self._refused[name] = shared
            _say_refused(name, error)
        self._watchers[name] = _watched(self._watch(name, local), failed)

    async def broadcast(self, name: str, entries: list[FileEntry]) -> None:
        for session, _ in list(self.sessions.values()):
            with contextlib.suppress(SyncoxideError):
                await session.announce(name, entries)

    async def _rescan(self, name: str, local: LocalFolder, changes: TreeChanges) -> bool:
        """Scan what changed and announce it; whether the folder is still there to watch
        (False: set aside, refused or gone, and to be looked for instead)."""
        shared = self.folders.get(name) or self._refused[name]
        try:
            async with shared.lock:
                if changes.full:
                    changed = await local.scan()
                else:
                    changed = await local.scan_paths(changes.paths, changes.listings)
        except FolderReplacedError as error:  # made again or replaced: no session may use it
            self._set_aside(name, error)
            return False
        except SyncoxideError as error:  # the folder vanished: say so, announce nothing
            if not local.root.is_dir():
                self._set_aside(name, _gone(name, local))
                return False
            _say(f"{name}: {error.message} {error.hint or ''}".strip())
            return True
        if name in self._refused:
            self._take_back(name)
        for path in local.untold_kept_here():
            _say(f"{name}: {path!r} is not synced: other devices refuse its name (a backslash "
                 "or a control character). It stays here; rename it to sync it.")  # fmt: skip
        if changed:
            await self.broadcast(name, changed)
        return local.root.is_dir()  # gone with nothing indexed yet: looked for all the same

    def _set_aside(self, name: str, error: SyncoxideError) -> None:
        """Leave a refused folder out of every session: its peers meet again without it.
        Said once, when it is set aside (its later scans refuse it again quietly)."""
        if (shared := self.folders.pop(name, None)) is not None:
            _say_refused(name, error)
            self._refused[name] = shared
            self._meet_again(shared.peers)

    def _take_back(self, name: str) -> None:
        """A refused folder holds its mark again (put back): sync it again."""
        shared = self._refused.pop(name)
        self.folders[name] = shared
        _say(f"{name}: the folder synced before is back; syncing it again.")
        self._meet_again(shared.peers)

    def _meet_again(self, peers: Iterable[str]) -> None:
        """End the sessions with ``peers``: both ends meet again and agree on the folders."""
        for peer in peers:
            if (session := self.sessions.get(peer)) is not None:
                session[1].abort()  # both ends meet again and agree on the folders

    async def _watch(self, name: str, local: LocalFolder) -> None:
        safety = asyncio.create_task(self._scan_now_and_then(name, local))
        try:
            while True:
                await self._follow(name, local)
                while not await local.back_and_settled(BACK_LOOK_EVERY):
                    await asyncio.sleep(BACK_LOOK_EVERY)
        finally:
            safety.cancel()

    async def _follow(self, name: str, local: LocalFolder) -> None:
        """Rescan what the watcher names until the folder is set aside (its watches may be
        gone with it: a folder deleted or moved, a drive unmounted)."""
        async with contextlib.aclosing(tree_changes(local.root, _say)) as batches:
            async for changes in batches:  # the first is a full scan
                if not await self._rescan(name, local, changes):
                    return

    async def _scan_now_and_then(self, name: str, local: LocalFolder) -> None:
        while True:
            await asyncio.sleep(SAFETY_SCAN_EVERY)
            await self._rescan(name, local, TreeChanges(full=True))

    async def _watch_trust(self, saves: FileSaves) -> None:
        """Spread a record made meanwhile (``devices revoke`` while we run) at once."""
        seen, stamp = await self._records_digest(), self.store.trust_stamp()
        while True:
            await saves.wait(TRUST_FILE)
            if (now_stamp := self.store.trust_stamp()) == stamp:
                continue  # the file was not saved again: nothing to parse
            stamp, now = now_stamp, await self._records_digest()
            if now != seen:
                seen = now
                self._trust_changed.set()  # a peer waiting to be trusted looks again at once
                self._trust_changed = asyncio.Event()
                for session, link in list(self.sessions.values()):
                    with contextlib.suppress(SyncoxideError):
                        if not await session.refresh_trust():
                            await link.flush(2.0)  # the revocation reaches it, then hang up
                            link.abort()

    async def _trust_may_change(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._trust_changed.wait(), UNTRUSTED_RETRY)

    async def _records_digest(self) -> bytes:
        records = (await self.store.ledger()).records()
        return hashlib.sha256(b"".join(r.to_bytes() for r in records)).digest()

    async def _meet_forever(self, me: Identity, peer: str) -> None:
        while True:
            try:
                await self._meet(me, peer)
            except (SyncoxideError, TimeoutError, ConnectionError) as error:
                message = error.message if isinstance(error, SyncoxideError) else str(error)
                print(f"{peer}: {message}", file=sys.stderr, flush=True)
            await asyncio.sleep(RECONNECT_AFTER)

    async def _meet(self, me: Identity, peer: str) -> None:
        ledger = await self.store.ledger()
        peer_key = _key_of(ledger, peer)
        if peer_key not in ledger.trusted():
            await self._trust_may_change()  # revoked, or not accepted yet: look again quietly
            return
        address = await meeting_for(self.store, me, peer_key)
        if address is None:
            _say(f"{peer}: no server to meet it through: pair with it by code.")
            await self._trust_may_change()
            return
        offerer = me.public < peer_key
        role = "sender" if offerer else "receiver"
        signal = await join_meeting(self.store, address, me=me, peer=peer_key, role=role)
        try:
            ice = IcePolicy(tuple(self.ice_servers))  # plus the server's STUN/TURN, if any
            link = await negotiate(signal, offer_now=False, ice=ice, wait=None)
            view = channel_view(link, offerer=offerer)
            meeting = Meeting(self.store, me, peer_key, address.room, view, self.folders,
                              self.broadcast, trouble=_say)  # fmt: skip
            session = DeviceSession(link, meeting)
            self.sessions[peer] = (session, link)
            print(f"Connected to {peer}.", flush=True)
            watching = asyncio.create_task(_hang_up_when_peer_leaves(signal, link))
            try:
                await session.run()
            finally:
                watching.cancel()
                self.sessions.pop(peer, None)
                await link.close()
        finally:
            await signal.close()


async def _hang_up_when_peer_leaves(signal: SignalingClient, link: ChannelLink) -> None:
    """End the session the moment signaling sees the peer leave or come back (it restarted).

    The server notices a vanished peer within milliseconds; ICE takes 5 to 15 s and a dead
    peer's channel may never close, and meanwhile the restarted peer would wait in the room for
    a session this end still believes in. Lost signaling alone says nothing about the peer."""
    with contextlib.suppress(TransportError):
        while (await signal.next())["type"] not in ("peer-left", "peer-joined"):
            pass
        link.abort()


def _watched(work: Coroutine[Any, Any, None], failed: asyncio.Future[None]) -> asyncio.Task[None]:
    """A task whose error ends the daemon, as if it had been awaited."""

    def report(task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is not None and not failed.done():
            failed.set_exception(error)

    task = asyncio.create_task(work)
    task.add_done_callback(report)
    return task


def _say(problem: str) -> None:
    print(problem, file=sys.stderr, flush=True)


def _gone(name: str, local: LocalFolder) -> NotFoundError:
    return NotFoundError(
        f"The folder {name} is gone from {local.root} (deleted, moved away or its drive "
        "unmounted).",
        hint="Nothing was deleted on your other devices. It syncs again as soon as it is back "
        "with its .syncoxide folder (put back, or the drive mounted again).",
    )


def _say_refused(name: str, error: SyncoxideError) -> None:
    _say(f"{name}: not synced. {error.message} {error.hint or ''}".strip())


def _key_of(ledger: TrustLedger, peer: str) -> bytes:
    for edge in ledger.graph():
        for key in (edge.subject, edge.signer):
            if device_id(key) == peer:
                return bytes(key)
    raise TransportError(f"{peer} is not a device this one knows: pair with it first.")


__all__ = ["Daemon"]
