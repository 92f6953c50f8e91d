"""The Photos view's folders of this device: pick, allow again, remove, read, upload on request.

The folders are remembered like the Files view's (``local_folders``, under their own key, so
each view has its own list); their photos are read by ``device_photos``. Thumbnails are shown
from ``blob:`` URLs made here and revoked when the photos are read again.
"""

from __future__ import annotations

from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide.photos.timeline import Photo
from syncoxide.units import format_bytes
from syncoxide_web.api.files_upload import upload_to_files
from syncoxide_web.files import local_folders
from syncoxide_web.files.local_folders import LocalFolder
from syncoxide_web.photos.device_photos import DEVICE_PREFIX, DevicePhotos, device_photos
from syncoxide_web.photos.photos_html import device_folders_html
from syncoxide_web.platform.dom import data_of, element, present, say, say_error, show

KEY = "photos-view-folders"
#: Where "Upload to my files" puts a device photo in your files on the server.
UPLOADED_TO = "Photos from this device"
NO_PICKER = (
    "This browser cannot open folders on your device (it lacks the File System Access API, "
    "as Firefox and Safari do): use Chrome, Edge or Chromium to add them here."
)


class DeviceCard:
    def __init__(self, status: str) -> None:
        self._status = status
        self._folders: list[LocalFolder] = []
        self._read = DevicePhotos()
        self._urls: dict[tuple[str, str], str] = {}

    async def load(self) -> None:
        if not local_folders.can_open_folders():
            show("photos-add-folder", False)
            say("photos-folders-status", NO_PICKER)
            return
        try:
            self._folders[:] = await local_folders.remembered(KEY)
        except Exception as error:  # IndexedDB unavailable (private window): this visit only
            say("photos-folders-status", f"Folders cannot be remembered here ({error}).")
        self._render()

    async def add(self) -> bool:
        """Pick a folder and remember it; True if it is new."""
        try:
            handle = await js.window.showDirectoryPicker()
        except Exception:  # the user closed the dialog: nothing to do
            return False
        try:
            added = await local_folders.add(self._folders, handle, KEY)
        except Exception as error:
            say(self._status, f"The folder could not be remembered ({error}).", error=True)
            return False
        self._render()
        say(self._status, f"Added “{handle.name}”: its photos are read in this browser and "
            "stay on this device." if added else f"“{handle.name}” is already here.")  # fmt: skip
        return added

    async def folder_action(self, event: Any) -> bool:
        """Allow or remove a folder; True if the photos shown change."""
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.photo-folder")
        if not action or not present(item):
            return False
        folder = self._folders[int(item.dataset.index)]
        if action == "allow" and not await local_folders.allow(folder):
            say(self._status, "The browser refused access.", error=True)
        elif action == "remove":
            await local_folders.remove(self._folders, self._folders.index(folder), KEY)
            say(self._status, f"Removed “{folder.name}” from Photos; nothing on it was touched.")
        self._render()
        return True

    async def read(self) -> bool:
        """Read the folders' photos (the cache answers for those seen before); True if the
        photos shown change (a folder removed last clears them)."""
        if not self._folders:
            shown = self._read
            had = bool(shown.photos or shown.unreadable or shown.not_supported or shown.errors)
            self._forget_thumbnails()
            self._read = DevicePhotos()
            return had

        def progress(done: int, total: int) -> None:
            say(self._status, f"Reading photos on this device: {done} of {total}…")

        found = await device_photos(self._folders, progress)
        self._forget_thumbnails()
        self._read = found
        if found.read_now:
            say(self._status, f"Read {found.read_now} new photos on this device (kept here).")
        return True

    def photos(self) -> list[Photo]:
        return list(self._read.photos)

    def thumbnail_url(self, photo: Photo) -> str:
        """A ``blob:`` URL for a device photo's thumbnail; "" for the server's photos."""
        key = (photo.source, photo.path)
        blob = self._read.thumbnails.get(key)
        if not present(blob):
            return ""
        if key not in self._urls:
            self._urls[key] = str(js.URL.createObjectURL(blob))
        return self._urls[key]

    def joined_notes(self, server: dict[str, Any]) -> dict[str, Any]:
        """The server's answer's notes with this device's added."""
        return {
            **server,
            "unreadable": [*server["unreadable"], *self._read.unreadable],
            "not_supported": [*server["not_supported"], *self._read.not_supported],
            "notes": [*server.get("notes", []), *self._read.errors],
        }

    async def upload(self, source: str, path: str) -> None:
        """Upload one device photo to your files, only because the user clicked for it."""
        handle = self._read.handles.get((source, path))
        if handle is None:
            return
        file = await handle.getFile()
        target = f"{UPLOADED_TO}/{source.removeprefix(DEVICE_PREFIX)}/{path}"
        size = int(file.size)

        def progress(sent: int) -> None:
            say(self._status, f"Uploading “{path}”: {format_bytes(sent)} of "
                f"{format_bytes(size)}…")  # fmt: skip

        try:
            await upload_to_files(file, target, progress)
        except SyncoxideError as error:
            say_error(self._status, error, what=f"“{path}” was not uploaded",
                      kept="The photo on this device is untouched.")  # fmt: skip
            return
        say(self._status, f"Uploaded “{path}” to “{target}” in your files.")

    def _forget_thumbnails(self) -> None:
        for url in self._urls.values():
            js.URL.revokeObjectURL(url)
        self._urls.clear()

    def _render(self) -> None:
        element("photos-folders").innerHTML = device_folders_html(
            [(f.name, f.access) for f in self._folders]
        )
