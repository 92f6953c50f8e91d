"""The Files view's browser of your own files on this server.

Folders are walked one at a time through ``GET /storage``. A download is a plain link to the
ranged download route: the browser streams it to disk with the session cookie, and the bytes
never pass through Python. Uploads go through the app's one tus client to your files' tus
endpoint, straight from the picked ``File`` (slices handed to ``fetch``), and are then named
with ``POST /storage/commit``; a folder picked for upload keeps its inner paths.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import js  # type: ignore[import-not-found]

from syncoxide.errors import SyncoxideError
from syncoxide.units import format_bytes
from syncoxide_web.api.client import call_api, show_status
from syncoxide_web.api.tus_upload import TusUpload
from syncoxide_web.files.storage_html import (
    breadcrumbs_html,
    child_path,
    clashes,
    moved_path,
    name_of,
    storage_rows_html,
    usage_text,
)

COLLECTION = "/api/v1/storage/uploads/"
#: Entries asked for in one page, and the most one folder shows.
PAGE, SHOWN = 1000, 5000

_current = [""]
#: Names in the folder shown, to ask before an upload replaces one of them.
_names_shown: set[str] = set()


def _element(name: str) -> Any:
    return js.document.getElementById(name)


def _say(text: str, *, error: bool = False) -> None:
    show_status("storage-status", text, error=error)


def _failed(what: str, error: SyncoxideError) -> None:
    _say(f"{what}: {error.message} {error.hint or ''}".strip(), error=True)


async def open_folder(folder: str) -> None:
    """List ``folder`` of your files (``""``: the top), page by page, up to ``SHOWN`` entries."""
    entries: list[dict[str, Any]] = []
    after, more = "", True
    try:
        while more and len(entries) < SHOWN:
            query = f"?path={quote(folder)}&limit={PAGE}&after={quote(after)}"
            page = await call_api("GET", "/storage" + query)
            entries += page["entries"]
            after, more = page["next_after"] or "", page["next_after"] is not None
        usage = await call_api("GET", "/storage/usage")
    except SyncoxideError as error:
        _failed(f"“{folder or 'Your files'}” could not be listed", error)
        return
    _current[0] = folder
    _names_shown.clear()
    _names_shown.update(name_of(str(e["path"])) for e in entries)
    _element("storage-crumbs").innerHTML = breadcrumbs_html(folder)
    _element("storage-list").innerHTML = storage_rows_html(entries, more)
    _element("storage-usage").textContent = usage_text(int(usage["used"]), usage["room"])


async def storage_click(event: Any) -> None:
    target = event.target
    if str(target.tagName) != "BUTTON":
        return  # a download link: the browser follows it by itself
    if target.hasAttribute("data-folder"):
        await open_folder(str(target.getAttribute("data-folder")))
        return
    action, path = str(target.getAttribute("data-action")), str(target.getAttribute("data-path"))
    if action == "delete":
        await _delete(path, str(target.dataset.kind) == "dir")
    elif action == "move":
        await _move(path)


async def _change(method: str, api_path: str, body: Any, failed: str, done: str) -> None:
    """One change to your files, then the folder listed again; a refusal says why."""
    try:
        await call_api(method, api_path, body)
    except SyncoxideError as error:
        _failed(failed, error)
        return
    _say(done)
    await open_folder(_current[0])


async def _delete(path: str, is_folder: bool) -> None:
    what = f"the folder “{path}” and everything in it" if is_folder else f"“{path}”"
    if not js.window.confirm(f"Delete {what} from your files on this server?"):
        return
    recursive = "&recursive=true" if is_folder else ""
    api_path = f"/storage?path={quote(path)}{recursive}"
    await _change("DELETE", api_path, None, f"“{path}” was not deleted", f"Deleted “{path}”.")


async def _move(path: str) -> None:
    wanted = js.window.prompt("New name, or a path from the top of your files:", path)
    new_path = moved_path(path, str(wanted or ""))
    if new_path == path:
        return
    body = {"source": path, "target": new_path}
    done = f"Moved “{path}” to “{new_path}”."
    await _change("POST", "/storage/move", body, f"“{name_of(path)}” was not moved", done)


async def make_folder(_event: Any) -> None:
    name = str(js.window.prompt("Name of the new folder:") or "").strip()
    if not name:
        return
    path = child_path(_current[0], name)
    failed = f"The folder “{name}” was not made"
    await _change("POST", "/storage/folders", {"path": path}, failed, f"Made “{path}”.")


async def upload_picked(event: Any) -> None:
    """Upload every picked file into the current folder (a folder's files keep their paths)."""
    picker = event.target
    files = [picker.files.item(i) for i in range(int(picker.files.length))]
    relatives = [str(file.webkitRelativePath or "") or str(file.name) for file in files]
    folder, done = _current[0], 0
    taken = clashes(relatives, _names_shown)
    if taken and not js.window.confirm(
        f"Already in this folder: {', '.join(taken)}. Upload anyway, replacing files that have "
        "the same names?"
    ):
        picker.value = ""
        _say("Nothing was uploaded.")
        return
    try:
        for file, relative in zip(files, relatives, strict=True):
            path = child_path(folder, relative)
            await _upload_one(file, path, f"{done + 1} of {len(files)}")
            done += 1
    except SyncoxideError as error:
        _failed(f"{done} of {len(files)} uploaded, then refused", error)
    else:
        _say(f"Uploaded {done} file{'s' if done != 1 else ''} into “{folder or 'Your files'}”.")
    finally:
        picker.value = ""  # the same files can be picked again
    await open_folder(_current[0])


async def _upload_one(file: Any, path: str, which: str) -> None:
    size = int(file.size)

    def progress(sent: int) -> None:
        _say(f"Uploading {which}: “{path}”, {format_bytes(sent)} of {format_bytes(size)}…")

    progress(0)
    upload = await TusUpload.create(size, {"path": path}, progress, collection=COLLECTION)
    try:
        await upload.send_blob(file)
    except SyncoxideError:
        await upload.cancel()  # its bytes are of no use now: free the room they hold
        raise
    commit = {
        "upload": upload.location.rsplit("/", 1)[-1],
        "path": path,
        "mtime_ns": int(file.lastModified) * 1_000_000,
    }
    await call_api("POST", "/storage/commit", commit)
