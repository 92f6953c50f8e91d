"""The receive page (``/p/<room>#<token>``): one click, then the files arrive, verified.

The click matters: the folder picker (File System Access) needs a user gesture. Where there is
no picker, the files go into this browser's private storage (OPFS) and are then offered as
downloads made from the stored files, so even a large file never sits in page memory.

When the sender leaves for good and named a server copy, the page stays and fetches what is
still missing from that copy into the same folder (p2p_server_copy.py). A page reloaded while
receiving into the browser's storage carries on by itself, from what it had written. Before any
click, a room with no sender but a server copy opens the copy's share page instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import js
from pyodide.ffi import JsException

from syncoxide.errors import SyncoxideError
from syncoxide_web.p2p.status import FINAL_STATES, TransferStatus, describe
from syncoxide_web.p2p.transfer import look_at_room, receive_into, room_address
from syncoxide_web.platform.dom import FAILED, Listeners, data_of, element, make, say, show
from syncoxide_web.receive.server_copy import finish_from_server_copy

STATUS = "transfer-state"
INBOX = "received"
FALLBACK_AFTER = 4.0  # seconds with no sender in the room before its server copy is used
SENDER_WAIT = 30 * 60.0  # a sender who closed the page may reopen it: wait this long
# + room id: this browser is receiving that room into its own storage, so a reloaded page
# carries on by itself (that needs no click, unlike a picked folder) until it is verified.
INCOMING = "syncoxide.incoming."
#: Where to receive, asked on the click: a folder, and whether to offer its files as downloads.
Chooser = Callable[[], Awaitable[tuple[Any, bool]]]


def start() -> ReceivePage:
    """Show the page and wait for the click (or carry on receiving after a reload)."""
    return ReceivePage().start()


class ReceivePage:
    """The receive page: the receive it runs and, before any click, the look for a fallback."""

    def __init__(self) -> None:
        self._listeners = Listeners()
        self._running: list[asyncio.Future[Any]] = []
        self._peeking: asyncio.Future[Any] | None = None

    def start(self) -> ReceivePage:
        show("boot", False)
        show("receive")
        show("save-to-folder", hasattr(js.window, "showDirectoryPicker"))
        on = self._listeners.on
        on("save-to-folder", "click", lambda _event: self._receive_into(_picked_folder))
        on("save-in-browser", "click", lambda _event: self._receive_into(_browser_folder))
        on("cancel-receive", "click", lambda _event: [task.cancel() for task in self._running])
        if js.localStorage.getItem(_incoming_key()):
            self._receive_into(_browser_folder)
        else:
            self._peeking = self._listeners.start(_fall_back_if_sender_gone())
        js.document.documentElement.dataset.ready = "1"
        return self

    def _receive_into(self, chooser: Chooser) -> None:
        self._running.append(self._listeners.start(self._run(chooser)))

    async def _run(self, chooser: Chooser) -> None:
        if self._peeking is not None:  # from here on, receiving decides about the server copy
            self._peeking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._peeking
        await _run(chooser)


def _incoming_key() -> str:
    return INCOMING + room_address(str(js.location.href))[1]


async def _fall_back_if_sender_gone() -> None:
    """Before any click: a room with no sender but a server copy opens that copy on its own.

    It looks twice (now, and FALLBACK_AFTER later, in case the sender is reconnecting) over
    plain HTTP, without joining the room, so a sender that is there never notices.
    """
    server, room, token = room_address(str(js.location.href))
    for attempt in range(2):
        if attempt:
            await asyncio.sleep(FALLBACK_AFTER)
        try:
            state = await look_at_room(server, room, token)
        except SyncoxideError:
            return  # receiving will say what is wrong
        if state["sender"] or not state["fallback"]:
            return
        if not attempt:
            say(
                STATUS,
                "The sender's page is not open; looking for the copy they left on the server…",
            )
    js.location.assign(state["fallback"])


async def _picked_folder() -> tuple[Any, bool]:
    # Picked already if the button was pressed before Python ran (static/receive-offer.js):
    # the picker needs that click's gesture, which the click replayed now no longer carries.
    early = getattr(js.window, "syncoxideEarlyFolder", None)
    if early:
        js.window.syncoxideEarlyFolder = None
        return await early, False
    return await js.window.showDirectoryPicker(
        js.Object.fromEntries([["mode", "readwrite"]])
    ), False


async def _browser_folder() -> tuple[Any, bool]:
    js.localStorage.setItem(_incoming_key(), INBOX)
    root = await js.navigator.storage.getDirectory()
    create = js.Object.fromEntries([["create", True]])
    return await root.getDirectoryHandle(INBOX, create), True


async def _run(chooser: Chooser) -> None:
    for name in ("save-to-folder", "save-in-browser"):
        element(name).disabled = True
    try:
        folder, offer_downloads = await chooser()
    except JsException:
        say(STATUS, "No folder chosen. Pick one to receive the files.")
        for name in ("save-to-folder", "save-in-browser"):
            element(name).disabled = False
        return
    say(STATUS, "Connecting to the sender…")
    show("cancel-receive")
    try:
        status = await _receive(folder)
    except SyncoxideError as error:
        if data_of(element(STATUS), "state") not in FINAL_STATES:  # failed before any status
            say(STATUS, f"Failed: {error}", state=FAILED)
        return
    except asyncio.CancelledError:
        if data_of(element(STATUS), "state") not in FINAL_STATES:  # before the sender came
            say(STATUS, "Cancelled. What already arrived is kept.", state="cancelled")
        js.localStorage.removeItem(_incoming_key())  # stopped on purpose: no carrying on by itself
        return
    finally:
        show("cancel-receive", False)
    js.localStorage.removeItem(_incoming_key())  # verified: nothing left to carry on with
    if offer_downloads:
        await _list_downloads(folder, status)


async def _receive(folder: Any) -> TransferStatus:
    """Peer to peer; if the sender leaves for good, the rest from its server copy, in place."""
    status = await receive_into(
        str(js.location.href), folder, _on_status, SENDER_WAIT, fallback_after=FALLBACK_AFTER
    )
    if status.state != "fallback" or status.received is None:
        return status
    server, _, _ = room_address(str(js.location.href))
    try:
        return await finish_from_server_copy(
            server, status.fallback, folder, status.received, on_status=_on_status
        )
    except SyncoxideError as error:
        say(STATUS, f"Failed: {error}", state=FAILED)
        raise
    except asyncio.CancelledError:
        say(STATUS, "Cancelled. What already arrived is kept.", state="cancelled")
        raise


def _on_status(status: TransferStatus) -> None:
    now = js.performance.now() / 1000
    final = status.state in FINAL_STATES
    verb = "Receiving from the sender's server copy" if status.via_server_copy else "Receiving"
    say(STATUS, describe(status, now, verb), state=status.state if final else None)
    if status.total_bytes:
        element("transfer-progress").value = 100 * status.done_bytes / status.total_bytes


async def _list_downloads(folder: Any, status: TransferStatus) -> None:
    """Links to the stored files: the blobs are backed by OPFS, not by page memory."""
    listing = element("received-files")
    for path, handle in await _files(folder, ""):
        url = js.URL.createObjectURL(await handle.getFile())
        link = make("a", f"Save {path}", href=url, download=path.rsplit("/", 1)[-1])
        item = make("li")
        item.appendChild(link)
        listing.appendChild(item)


async def _files(folder: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    entries = folder.values()
    while not (step := await entries.next()).done:
        handle = step.value
        path = f"{prefix}{handle.name}"
        if handle.kind == "directory":
            found.extend(await _files(handle, path + "/"))
        elif not handle.name.endswith(".syncoxide-part"):
            found.append((path, handle))
    return found
