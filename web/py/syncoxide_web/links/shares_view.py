"""The Share links view: pick files or a folder, choose options, upload over tus, get a link.

With end-to-end encryption the page makes a fresh share key, encrypts every name and file here
(WebCrypto, the same format as ``syncoxide share --encrypt``) while uploading, and puts the key
only in the link's fragment: it is shown once and never sent. The list of the owner's shares
follows the events socket, so download counts change as recipients download.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Coroutine
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_once_callable, create_proxy  # type: ignore[import-not-found]

from syncoxide.crypto import stream
from syncoxide.crypto.format import DEFAULT_CHUNK_LOG2, HEADER_SIZE_V1, ChunkLayout
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import (
    check_shareable_paths,
    encrypt_path,
    key_fragment,
    new_share_key,
    path_cipher,
)
from syncoxide.errors import SyncoxideError
from syncoxide.system import SystemRandom
from syncoxide_web.api import server_api
from syncoxide_web.api.tus_upload import TusUpload
from syncoxide_web.links.share_forms import (
    count_text,
    share_body,
    shared_path,
    shares_table,
)
from syncoxide_web.platform.blob_io import BlobReader

LAYOUT = ChunkLayout(HEADER_SIZE_V1, 1 << DEFAULT_CHUNK_LOG2)
RECONNECT_SECONDS = 3
CLOSE_UNAUTHORIZED = 4401
_listeners: list[Any] = []
_live: dict[str, Any] = {"last_id": 0}
_tasks: set[asyncio.Future[None]] = set()


def _element(element_id: str) -> Any:
    return js.document.getElementById(element_id)


def _listen(element: Any, kind: str, handler: Any) -> None:
    proxy = create_proxy(handler)
    _listeners.append(proxy)
    element.addEventListener(kind, proxy)


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` in the background, holding it until it ends (a bare task may be collected)."""
    task = asyncio.ensure_future(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def wire_shares_view() -> None:
    _listen(_element("share-create"), "click", lambda _e: _spawn(_create()))
    _listen(_element("share-copy"), "click", lambda _e: _spawn(_copy()))
    _listen(_element("share-rows"), "click", _on_list_click)
    _spawn(_start_list())


def _say(text: str, failed: bool = False) -> None:
    status = _element("share-status")
    status.textContent = text
    status.className = "error" if failed else ""


def _picked_files() -> list[tuple[Any, str]]:
    picked = []
    for input_id in ("share-files", "share-folder"):
        files = _element(input_id).files
        for index in range(files.length):
            file = files.item(index)
            picked.append((file, shared_path(file.name, str(file.webkitRelativePath or ""))))
    return picked


async def _create() -> None:
    button = _element("share-create")
    button.disabled = True
    try:
        await _create_share()
    except SyncoxideError as error:
        _say(f"{error.message} {error.hint or ''}".strip(), failed=True)
    finally:
        button.disabled = False


async def _create_share() -> None:
    picked = _picked_files()
    if not picked:
        _say("Choose files or a folder first.", failed=True)
        return
    encrypted = bool(_element("share-encrypt").checked)
    body = share_body(
        str(_element("share-title").value),
        str(_element("share-expires").value),
        str(_element("share-max").value),
        str(_element("share-password").value),
        encrypted,
    )
    key = None
    if encrypted:
        check_shareable_paths([name for _, name in picked])
        key = new_share_key(SystemRandom())
    _element("share-result").hidden = True
    share = await server_api.call("POST", "/shares", body)
    try:
        await _upload_all(share["id"], picked, key)
    except BaseException:
        # A share missing some of its files is not offered to anyone.
        with contextlib.suppress(SyncoxideError):
            await server_api.call("DELETE", f"/shares/{share['id']}")
        raise
    link = js.location.origin + share["url"] + (f"#{key_fragment(key)}" if key else "")
    await _show_link(link, encrypted)
    for input_id in ("share-files", "share-folder", "share-password"):
        _element(input_id).value = ""  # the next share starts from a clean form
    _say(f"Shared {len(picked)} file{'s' if len(picked) != 1 else ''}: the link is below.")
    await _refresh_list()


async def _upload_all(
    share_id: str, picked: list[tuple[Any, str]], key: SecretBytes | None
) -> None:
    rows = _element("share-uploads")
    rows.innerHTML = ""
    cipher = path_cipher(_backend(), key) if key else None
    for file, name in picked:
        item = js.document.createElement("li")
        item.textContent = name + " "
        bar = js.document.createElement("progress")
        item.appendChild(bar)
        rows.appendChild(item)
        _say(f"Uploading {name}…")
        stored = await encrypt_path(cipher, name) if cipher else name
        await _upload_one(file, {"share": share_id, "path": stored}, key, bar)
        item.dataset.done = "1"


async def _upload_one(
    file: Any, metadata: dict[str, str], key: SecretBytes | None, bar: Any
) -> None:
    size = int(file.size)
    length = LAYOUT.ciphertext_size(size) if key else size
    bar.max = max(length, 1)

    def progress(sent: int) -> None:
        bar.value = sent

    upload = await TusUpload.create(length, metadata, progress)
    if key is None:
        await upload.send_blob(file)
        return
    sealer = await stream.FileSealer.create(_backend(), key, SystemRandom())
    await stream.seal_stream(sealer, BlobReader(file).read, upload.write)
    await upload.finish()


def _backend() -> Any:
    from syncoxide_web.platform.webcrypto import WebCryptoBackend

    return WebCryptoBackend()


async def _show_link(link: str, encrypted: bool) -> None:
    from syncoxide_web.platform.qr import qr_image_url

    anchor = _element("share-link")
    anchor.href = link
    anchor.textContent = link
    _element("share-key-note").hidden = not encrypted
    _element("share-qr").src = await qr_image_url(link)
    _element("share-result").hidden = False


async def _copy() -> None:
    link = str(_element("share-link").href)
    try:
        await js.navigator.clipboard.writeText(link)
        _say("Link copied.")
    except Exception:  # no clipboard permission: let the person copy it by hand
        js.window.getSelection().selectAllChildren(_element("share-link"))
        _say("Copy the selected link with Ctrl+C (or ⌘C).")


async def _start_list() -> None:
    try:
        await _refresh_list()
    except SyncoxideError as error:
        _element("share-rows").innerHTML = ""
        _say(f"{error.message} Sign in to create and list share links.", failed=True)
        _element("share-create").disabled = True
        return
    _connect_events()


async def _refresh_list() -> None:
    answer = await server_api.call("GET", "/shares")
    _element("share-rows").innerHTML = shares_table(answer["links"], time.time())


def _on_list_click(event: Any) -> None:
    share_id = event.target.dataset.revoke
    if share_id:
        _spawn(_revoke(str(share_id)))


async def _revoke(share_id: str) -> None:
    try:
        await server_api.call("DELETE", f"/shares/{share_id}")
        await _refresh_list()
        _say("The link was revoked: it no longer opens.")
    except SyncoxideError as error:
        _say(error.message, failed=True)


def _connect_events() -> None:
    scheme = "wss" if js.location.protocol == "https:" else "ws"
    url = f"{scheme}://{js.location.host}/api/v1/events/live?after={_live['last_id']}"
    socket = js.WebSocket.new(url)
    _listen(socket, "message", _on_event)
    _listen(socket, "close", _on_close)
    _live["socket"] = socket


def _on_close(event: Any) -> None:
    if int(event.code) == CLOSE_UNAUTHORIZED:  # signed out: reconnecting would not help
        return
    reconnect = create_once_callable(lambda *_args: _connect_events())
    js.setTimeout(reconnect, RECONNECT_SECONDS * 1000)


def _on_event(message: Any) -> None:
    event = json.loads(str(message.data))
    if event.get("type") != "event":
        return
    _live["last_id"] = max(_live["last_id"], int(event["id"]))
    if event.get("kind") != "share.downloaded":
        return
    payload = event["payload"]
    cell = js.document.querySelector(f'[data-count="{payload["link"]}"]')
    if cell:
        limit = int(cell.dataset.max) if cell.dataset.max else None
        cell.textContent = count_text(int(payload["downloads"]), limit)
