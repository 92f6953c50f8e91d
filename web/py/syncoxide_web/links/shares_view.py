"""The Share links view: pick files or a folder, choose options, upload over tus, get a link.

With end-to-end encryption the page makes a fresh share key, encrypts every name and file here
(WebCrypto, the same format as ``syncoxide share --encrypt``) while uploading, and puts the key
only in the link's fragment: it is shown once and never sent. The list of the owner's shares
follows the events socket, so download counts change as recipients download.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import js

from syncoxide.crypto import stream
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
from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.api.tus_upload import TusUpload
from syncoxide_web.links.share_forms import (
    count_text,
    share_body,
    shared_path,
    shares_table,
)
from syncoxide_web.platform.blob_io import BlobReader
from syncoxide_web.platform.clipboard import copy_link
from syncoxide_web.platform.dom import (
    Listeners,
    data_of,
    element,
    make,
    picked_files,
    say,
    say_error,
    show,
)

STATUS = "share-status"


class SharesView:
    """The Share links view; it follows the events socket from the last event it saw."""

    def __init__(self) -> None:
        self._listeners = Listeners()
        self._live = LiveEvents(self._listeners, ("share.downloaded",), on_event=_show_downloads)

    def start(self) -> SharesView:
        self._listeners.on_task("share-create", "click", lambda _e: _create())
        self._listeners.on_task("share-copy", "click", lambda _e: copy_link("share-link", STATUS))
        self._listeners.on("share-rows", "click", self._on_list_click)
        self._listeners.start(self._start_list())
        return self

    async def _start_list(self) -> None:
        try:
            await _refresh_list()
        except SyncoxideError as error:
            element("share-rows").innerHTML = ""
            say(STATUS, f"{error.message} Sign in to create and list share links.", error=True)
            element("share-create").disabled = True
            return
        self._live.open()

    def _on_list_click(self, event: Any) -> None:
        share_id = data_of(event.target, "revoke")
        if share_id:
            self._listeners.start(_revoke(share_id))


def _picked_files() -> list[tuple[Any, str]]:
    return [
        (file, shared_path(file.name, str(file.webkitRelativePath or "")))
        for input_id in ("share-files", "share-folder")
        for file in picked_files(input_id)
    ]


async def _create() -> None:
    button = element("share-create")
    button.disabled = True
    try:
        await _create_share()
    except SyncoxideError as error:
        say_error(STATUS, error)
    finally:
        button.disabled = False


async def _create_share() -> None:
    picked = _picked_files()
    if not picked:
        say(STATUS, "Choose files or a folder first.", error=True)
        return
    encrypted = bool(element("share-encrypt").checked)
    body = share_body(
        title=str(element("share-title").value),
        expires=str(element("share-expires").value),
        max_downloads=str(element("share-max").value),
        password=str(element("share-password").value),
        encrypted=encrypted,
    )
    key = None
    if encrypted:
        check_shareable_paths([name for _, name in picked])
        key = new_share_key(SystemRandom())
    show("share-result", False)
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
        element(input_id).value = ""  # the next share starts from a clean form
    say(STATUS, f"Shared {len(picked)} file{'s' if len(picked) != 1 else ''}: the link is below.")
    await _refresh_list()


async def _upload_all(
    share_id: str, picked: list[tuple[Any, str]], key: SecretBytes | None
) -> None:
    rows = element("share-uploads")
    rows.innerHTML = ""
    cipher = path_cipher(_backend(), key) if key else None
    for file, name in picked:
        item = make("li", name + " ")
        bar = make("progress")
        item.appendChild(bar)
        rows.appendChild(item)
        say(STATUS, f"Uploading {name}…")
        stored = await encrypt_path(cipher, name) if cipher else name
        await _upload_one(file, {"share": share_id, "path": stored}, key, bar)
        item.dataset.done = "1"


async def _upload_one(
    file: Any, metadata: dict[str, str], key: SecretBytes | None, bar: Any
) -> None:
    size = int(file.size)
    length = stream.sealed_size(size) if key else size
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

    anchor = element("share-link")
    anchor.href = link
    anchor.textContent = link
    show("share-key-note", encrypted)
    element("share-qr").src = await qr_image_url(link)
    show("share-result")


async def _refresh_list() -> None:
    answer = await server_api.call("GET", "/shares")
    element("share-rows").innerHTML = shares_table(answer["links"], time.time())


async def _revoke(share_id: str) -> None:
    try:
        await server_api.call("DELETE", f"/shares/{share_id}")
        await _refresh_list()
        say(STATUS, "The link was revoked: it no longer opens.")
    except SyncoxideError as error:
        say(STATUS, error.message, error=True)


def _show_downloads(payload: dict[str, Any]) -> None:
    """A recipient downloaded: the link's count in the list goes up."""
    cell = js.document.querySelector(f'[data-count="{payload["link"]}"]')
    if cell:
        limit = int(cell.dataset.max) if cell.dataset.max else None
        cell.textContent = count_text(int(payload["downloads"]), limit)
