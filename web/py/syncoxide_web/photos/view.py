"""The Photos view: your photos on this server, in your connections and in folders of this
device, by the day they were taken, and their duplicates side by side; "Keep this one" moves
the others of a group to the trash (server storage only).

The server lists its photos and its connections'; the page adds the photos of the folders of
this device picked here (``device_photos``: read in the page, cached in IndexedDB, never
uploaded unless "Upload to my files" is clicked) and builds one timeline and one duplicate
search over both with the core's own functions.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide.photos.duplicates import duplicate_groups
from syncoxide.photos.timeline import Photo, timeline
from syncoxide_web.api.client import call_api
from syncoxide_web.photos.device_card import DeviceCard
from syncoxide_web.photos.photos_html import duplicates_html, timeline_html
from syncoxide_web.platform.dom import Listeners, data_of, element, say, say_error

STATUS = "photos-status"


class PhotosView:
    def __init__(self) -> None:
        self._listeners = Listeners()
        self._device = DeviceCard(STATUS)
        self._server: dict[str, Any] = _empty_answer()
        self._shows = 0  # a newer show() makes an older one drop its answer

    def start(self) -> PhotosView:
        self._listeners.on_task("photos-duplicates", "click", self._keep_click)
        self._listeners.on_task("photos-find-duplicates", "click", self._show_duplicates)
        self._listeners.on_task("photos-look-again", "click", self._look_again)
        self._listeners.on_task("photos-add-folder", "click", self._add_folder)
        self._listeners.on_task("photos-folders", "click", self._folder_action)
        self._listeners.on_task("photos-timeline", "click", self._timeline_click)
        self._listeners.on_shown("photos", self.show)
        self._listeners.start(self._first_show())
        return self

    async def _first_show(self) -> None:
        await self._device.load()
        await self.show()

    async def show(self) -> None:
        self._shows += 1
        mine = self._shows
        try:
            self._server = await call_api("GET", "/photos")
        except SyncoxideError as error:
            say_error(STATUS, error, what="Your photos on the server could not be listed")
            self._server = _empty_answer()
        if mine != self._shows:
            return
        self._render()  # the server's photos at once; this device's join them when read
        # Every view starts with the app; this device's folders are read only once Photos is
        # on screen (decoding new photos is real work, and the view shows it as it goes).
        if _on_screen() and await self._device.read() and mine == self._shows:
            self._render()

    def _render(self) -> None:
        days = timeline(self._photos())
        answer = {
            **self._device.joined_notes(self._server),
            "days": [{"date": d.date, "photos": [self._json(p) for p in d.photos]}
                     for d in days],
        }  # fmt: skip
        element("photos-timeline").innerHTML = timeline_html(answer)

    def _photos(self) -> list[Photo]:
        server = [Photo(**photo) for day in self._server["days"] for photo in day["photos"]]
        return server + self._device.photos()

    def _json(self, photo: Photo) -> dict[str, Any]:
        return {**asdict(photo), "thumbnail": self._device.thumbnail_url(photo)}

    async def _add_folder(self, _event: Any) -> None:
        if await self._device.add():
            await self.show()

    async def _folder_action(self, event: Any) -> None:
        if await self._device.folder_action(event):
            await self.show()

    async def _timeline_click(self, event: Any) -> None:
        if (data_of(event.target, "action") or "") != "upload":
            return
        figure = event.target.closest("figure.photo")
        await self._device.upload(str(figure.dataset.source), str(figure.dataset.path))
        await self.show()

    async def _look_again(self, _event: Any) -> None:
        """Refresh the index of every connection (what the view lists comes from it)."""
        say(STATUS, "Looking in your connections…")
        try:
            answer = await call_api("POST", "/catalog/refresh", {})
        except SyncoxideError as error:
            say_error(STATUS, error, what="Your connections were not looked at")
            return
        failed = [f"{s['source']}: {s['error']}" for s in answer["sources"] if s["error"]]
        say(STATUS, "Not read: " + "; ".join(failed) if failed else "Up to date.",
            error=bool(failed))  # fmt: skip
        await self.show()

    async def _show_duplicates(self, _event: Any) -> None:
        """Over the photos shown: the server's and this device's, with the core's search."""
        groups = duplicate_groups(self._photos())
        answer = {
            "exact": [[self._json(p) for p in group] for group in groups.exact],
            "near": [[self._json(p) for p in group] for group in groups.near],
        }
        element("photos-duplicates").innerHTML = duplicates_html(answer)

    async def _keep_click(self, event: Any) -> None:
        if (data_of(event.target, "action") or "") != "keep":
            return
        keep = str(event.target.closest("figure.photo").dataset.path)
        group = str(event.target.closest("div.photo-group").dataset.paths).split("\n")
        others = [path for path in group if path != keep]
        if not js.window.confirm(f"Keep “{keep}” and move {len(others)} other(s) to the trash?"):
            return
        try:
            answer = await call_api("POST", "/photos/keep-best", {"keep": keep, "others": others})
        except SyncoxideError as error:
            say_error(STATUS, error, kept="Nothing was moved.")
            return
        say(STATUS, f"Kept “{keep}”; {len(answer['trashed'])} moved to the trash (restorable).")
        await self.show()
        await self._show_duplicates(event)


def _on_screen() -> bool:
    return str(js.location.hash).removeprefix("#").removeprefix("/") == "photos"


def _empty_answer() -> dict[str, Any]:
    return {"days": [], "pending": 0, "unreadable": [], "not_supported": [], "errors": []}
