"""The receive page (``/p/<room>#<token>``): one click, then the files arrive, verified.

The click matters: the folder picker (File System Access) needs a user gesture. Where there is
no picker, the files go into this browser's private storage (OPFS) and are then offered as
downloads made from the stored files, so even a large file never sits in page memory.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, create_proxy  # type: ignore[import-not-found]

from syncoxide.errors import SyncoxideError
from syncoxide_web.p2p_transfer import TransferStatus, receive_into

_keep: list[Any] = []  # proxies live as long as the page
INBOX = "received"


def start() -> None:
    document = js.document
    document.getElementById("boot").hidden = True
    document.getElementById("receive").hidden = False
    picker = document.getElementById("save-to-folder")
    picker.hidden = not hasattr(js.window, "showDirectoryPicker")
    for button, chooser in ((picker, _picked_folder), (_el("save-in-browser"), _browser_folder)):
        proxy = create_proxy(lambda _event, chooser=chooser: asyncio.ensure_future(_run(chooser)))
        _keep.append(proxy)
        button.addEventListener("click", proxy)
    document.documentElement.dataset.ready = "1"


def _el(name: str) -> Any:
    return js.document.getElementById(name)


async def _picked_folder() -> tuple[Any, bool]:
    return await js.window.showDirectoryPicker(
        js.Object.fromEntries([["mode", "readwrite"]])
    ), False


async def _browser_folder() -> tuple[Any, bool]:
    root = await js.navigator.storage.getDirectory()
    create = js.Object.fromEntries([["create", True]])
    return await root.getDirectoryHandle(INBOX, create), True


async def _run(chooser: Any) -> None:
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
    try:
        status = await receive_into(str(js.location.href), folder, _on_status)
    except SyncoxideError as error:
        _show(f"Failed: {error}", state="failed")
        return
    _show("Verified: every file arrived and its SHA-256 matched.", state="verified")
    if offer_downloads:
        await _list_downloads(folder, status)


def _show(text: str, state: str = "") -> None:
    _el("transfer-state").textContent = text
    if state:
        _el("transfer-state").dataset.state = state


def _on_status(status: TransferStatus) -> None:
    if status.state != "transferring" or not status.total_bytes:
        return
    now = time.monotonic() if not hasattr(js, "performance") else js.performance.now() / 1000
    speed = status.speed(now)
    left = (status.total_bytes - status.done_bytes) / speed if speed else 0
    _el("transfer-progress").value = 100 * status.done_bytes / status.total_bytes
    _show(
        f"Receiving: {status.done_bytes / 1e6:.1f} of {status.total_bytes / 1e6:.1f} MB, "
        f"{speed / 1e6:.1f} MB/s, about {left:.0f} s left"
    )


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
