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
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, create_proxy  # type: ignore[import-not-found]

from syncoxide.errors import SyncoxideError
from syncoxide_web.p2p.status import FINAL_STATES, TransferStatus, describe
from syncoxide_web.p2p.transfer import look_at_room, receive_into, room_address
from syncoxide_web.receive.server_copy import finish_from_server_copy

_keep: list[Any] = []  # proxies live as long as the page
_running: list[asyncio.Task[None]] = []
_peeking: list[asyncio.Task[None]] = []
INBOX = "received"
FALLBACK_AFTER = 4.0  # seconds with no sender in the room before its server copy is used
SENDER_WAIT = 30 * 60.0  # a sender who closed the page may reopen it: wait this long
# + room id: this browser is receiving that room into its own storage, so a reloaded page
# carries on by itself (that needs no click, unlike a picked folder) until it is verified.
INCOMING = "syncoxide.incoming."


def start() -> None:
    document = js.document
    document.getElementById("boot").hidden = True
    document.getElementById("receive").hidden = False
    picker = document.getElementById("save-to-folder")
    picker.hidden = not hasattr(js.window, "showDirectoryPicker")
    for button, chooser in ((picker, _picked_folder), (_el("save-in-browser"), _browser_folder)):
        proxy = create_proxy(lambda _event, chooser=chooser: _running.append(_start(chooser)))
        _keep.append(proxy)
        button.addEventListener("click", proxy)
    cancel = create_proxy(lambda _event: [task.cancel() for task in _running])
    _keep.append(cancel)
    _el("cancel-receive").addEventListener("click", cancel)
    if js.localStorage.getItem(_incoming_key()):
        _running.append(_start(_browser_folder))
    else:
        _peeking.append(asyncio.ensure_future(_fall_back_if_sender_gone()))
    document.documentElement.dataset.ready = "1"


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
            _show("The sender's page is not open; looking for the copy they left on the server…")
    js.location.assign(state["fallback"])


def _start(chooser: Any) -> asyncio.Task[None]:
    return asyncio.ensure_future(_run(chooser))


def _el(name: str) -> Any:
    return js.document.getElementById(name)


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


async def _run(chooser: Any) -> None:
    for peek in _peeking:  # from here on, receiving decides about the server copy
        peek.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await peek
    for name in ("save-to-folder", "save-in-browser"):
        _el(name).disabled = True
    try:
        folder, offer_downloads = await chooser()
    except JsException:
        _show("No folder chosen. Pick one to receive the files.")
        for name in ("save-to-folder", "save-in-browser"):
            _el(name).disabled = False
        return
    _show("Connecting to the sender…")
    _el("cancel-receive").hidden = False
    try:
        status = await _receive(folder)
    except SyncoxideError as error:
        if _el("transfer-state").dataset.state not in FINAL_STATES:  # failed before any status
            _show(f"Failed: {error}", state="failed")
        return
    except asyncio.CancelledError:
        if _el("transfer-state").dataset.state not in FINAL_STATES:  # before the sender came
            _show("Cancelled. What already arrived is kept.", state="cancelled")
        js.localStorage.removeItem(_incoming_key())  # stopped on purpose: no carrying on by itself
        return
    finally:
        _el("cancel-receive").hidden = True
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
            server, status.fallback, folder, status.received, _on_status
        )
    except SyncoxideError as error:
        _show(f"Failed: {error}", state="failed")
        raise
    except asyncio.CancelledError:
        _show("Cancelled. What already arrived is kept.", state="cancelled")
        raise


def _show(text: str, state: str = "") -> None:
    _el("transfer-state").textContent = text
    if state:
        _el("transfer-state").dataset.state = state


def _on_status(status: TransferStatus) -> None:
    now = js.performance.now() / 1000
    final = status.state in FINAL_STATES
    verb = "Receiving from the sender's server copy" if status.via_server_copy else "Receiving"
    _show(describe(status, now, verb), state=status.state if final else "")
    if status.total_bytes:
        _el("transfer-progress").value = 100 * status.done_bytes / status.total_bytes


async def _list_downloads(folder: Any, status: TransferStatus) -> None:
    """Links to the stored files: the blobs are backed by OPFS, not by page memory."""
    listing = _el("received-files")
    for path, handle in await _files(folder, ""):
        link = js.document.createElement("a")
        link.href = js.URL.createObjectURL(await handle.getFile())
        link.download = path.rsplit("/", 1)[-1]
        link.textContent = f"Save {path}"
        item = js.document.createElement("li")
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
