"""The Photos view: your photos on this server and in your connections by the day they were
taken, and their duplicates side by side; "Keep this one" moves the others of a group to the
trash (server storage only)."""

from __future__ import annotations

from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.photos.photos_html import duplicates_html, timeline_html
from syncoxide_web.platform.dom import Listeners, data_of, element, say, say_error

STATUS = "photos-status"


class PhotosView:
    def __init__(self) -> None:
        self._listeners = Listeners()

    def start(self) -> PhotosView:
        self._listeners.on_task("photos-duplicates", "click", self._keep_click)
        self._listeners.on_task("photos-find-duplicates", "click", self._show_duplicates)
        self._listeners.on_task("photos-look-again", "click", self._look_again)
        self._listeners.on_shown("photos", self.show)
        self._listeners.start(self.show())
        return self

    async def show(self) -> None:
        try:
            answer = await call_api("GET", "/photos")
        except SyncoxideError as error:
            say_error(STATUS, error, what="Your photos could not be listed")
            return
        element("photos-timeline").innerHTML = timeline_html(answer)

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
        try:
            answer = await call_api("GET", "/photos/duplicates")
        except SyncoxideError as error:
            say_error(STATUS, error, what="Duplicates could not be found")
            return
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
        await self._show_duplicates(event)
        await self.show()
