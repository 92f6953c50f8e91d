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

import js

from syncoxide.errors import SyncoxideError
from syncoxide.units import format_bytes
from syncoxide_web.api.client import call_api
from syncoxide_web.api.files_upload import upload_to_files
from syncoxide_web.files.storage_html import (
    breadcrumbs_html,
    child_path,
    clashes,
    moved_path,
    name_of,
    storage_rows_html,
    usage_text,
)
from syncoxide_web.platform.dom import element, picked_files, say, say_error

STATUS = "storage-status"
#: Entries asked for in one page, and the most one folder shows.
PAGE, SHOWN = 1000, 5000


class StorageCard:
    """The folder of your files shown, and the names in it (asked about before a replace)."""

    def __init__(self) -> None:
        self._current = ""  # "" is the top of your files
        self._names_shown: set[str] = set()

    async def open_folder(self, folder: str) -> None:
        """List ``folder`` of your files (``""``: the top), page by page, up to ``SHOWN``."""
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
            say_error(STATUS, error, what=f"“{folder or 'Your files'}” could not be listed")
            return
        self._current = folder
        self._names_shown.clear()
        self._names_shown.update(name_of(str(e["path"])) for e in entries)
        element("storage-crumbs").innerHTML = breadcrumbs_html(folder)
        element("storage-list").innerHTML = storage_rows_html(entries, more)
        element("storage-usage").textContent = usage_text(int(usage["used"]), usage["room"])

    async def storage_click(self, event: Any) -> None:
        target = event.target
        if str(target.tagName) != "BUTTON":
            return  # a download link: the browser follows it by itself
        if target.hasAttribute("data-folder"):
            await self.open_folder(str(target.getAttribute("data-folder")))
            return
        action, path = (
            str(target.getAttribute("data-action")),
            str(target.getAttribute("data-path")),
        )
        if action == "delete":
            await self._delete(path, str(target.dataset.kind) == "dir")
        elif action == "move":
            await self._move(path)

    async def upload_picked(self, event: Any) -> None:
        """Upload every picked file into the current folder (a folder's files keep their paths)."""
        picker = event.target
        files = picked_files(picker)
        relatives = [str(file.webkitRelativePath or "") or str(file.name) for file in files]
        folder, done = self._current, 0
        taken = clashes(relatives, self._names_shown)
        if taken and not js.window.confirm(
            f"Already in this folder: {', '.join(taken)}. Upload anyway, replacing files that have "
            "the same names?"
        ):
            picker.value = ""
            say(STATUS, "Nothing was uploaded.")
            return
        try:
            for file, relative in zip(files, relatives, strict=True):
                path = child_path(folder, relative)
                await _upload_one(file, path, f"{done + 1} of {len(files)}")
                done += 1
        except SyncoxideError as error:
            say_error(STATUS, error, what=f"{done} of {len(files)} uploaded, then refused")
        else:
            say(
                STATUS,
                f"Uploaded {done} file{'s' if done != 1 else ''} into “{folder or 'Your files'}”.",
                state="done",  # a notification, if the tab is in the background and they asked
            )
        finally:
            picker.value = ""  # the same files can be picked again
        await self.open_folder(self._current)

    async def make_folder(self, _event: Any) -> None:
        name = str(js.window.prompt("Name of the new folder:") or "").strip()
        if not name:
            return
        path = child_path(self._current, name)
        failed = f"The folder “{name}” was not made"
        await self._change(
            "POST", "/storage/folders", {"path": path}, failed=failed, done=f"Made “{path}”."
        )

    async def _change(
        self, method: str, api_path: str, body: Any, *, failed: str, done: str
    ) -> None:
        """One change to your files, then the folder listed again; a refusal says why."""
        try:
            await call_api(method, api_path, body)
        except SyncoxideError as error:
            say_error(STATUS, error, what=failed)
            return
        say(STATUS, done)
        await self.open_folder(self._current)

    async def _delete(self, path: str, is_folder: bool) -> None:
        what = f"the folder “{path}” and everything in it" if is_folder else f"“{path}”"
        if not js.window.confirm(f"Delete {what} from your files on this server?"):
            return
        recursive = "&recursive=true" if is_folder else ""
        api_path = f"/storage?path={quote(path)}{recursive}"
        await self._change(
            "DELETE",
            api_path,
            None,
            failed=f"“{path}” was not deleted",
            done=f"Deleted “{path}”.",
        )

    async def _move(self, path: str) -> None:
        wanted = js.window.prompt("New name, or a path from the top of your files:", path)
        new_path = moved_path(path, str(wanted or ""))
        if new_path == path:
            return
        body = {"source": path, "target": new_path}
        done = f"Moved “{path}” to “{new_path}”."
        await self._change(
            "POST", "/storage/move", body, failed=f"“{name_of(path)}” was not moved", done=done
        )


async def _upload_one(file: Any, path: str, which: str) -> None:
    size = int(file.size)

    def progress(sent: int) -> None:
        say(STATUS, f"Uploading {which}: “{path}”, {format_bytes(sent)} of {format_bytes(size)}…")

    progress(0)
    await upload_to_files(file, path, progress)
