"""The All files view: every indexed file, searched in the index or browsed by place.

With words or a type, it searches the whole index (``/catalog/search``: milliseconds, not a
walk of every provider); with only a place picked, it browses that place's folders from the
index; with nothing, it shows the newest files everywhere. Refresh re-reads each provider
into the index (the server's own files are indexed as they are written).

Only the answer to the read asked last is drawn (platform/latest.py), and the results say
what they answer in ``data-shown`` (the search text, or ``place:folder`` when browsing), so
whoever reads them (a person's script, a test) can tell the answer to their own search from
the list of the search before it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import js

from syncoxide.errors import SyncoxideError
from syncoxide.units import counted
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import (
    entries_html,
    folder_crumbs_html,
    found_note,
    place_choices,
    search_text,
    type_choices,
)
from syncoxide_web.catalog.entry_actions import EntryActions
from syncoxide_web.platform.dom import Listeners, data_of, element, say, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.platform.latest import LatestRead

STATUS = "all-status"
ACTIONS = ("star", "history", "delete")
SHOWN = 200


class AllFilesView:
    def __init__(
        self, connections: Feed[list[dict[str, Any]]], history: Feed[str], folders: Feed[str]
    ) -> None:
        self._listeners = Listeners()
        self._connections = connections
        self._folders = folders
        self._folder = ""  # the browsed folder, when a place is picked and nothing searched
        self._linked = 0  # the entry a /f/<id> link opened the app on, marked in its folder
        self._actions = EntryActions(STATUS, history, self.show, self._open_folder)
        self._reads = LatestRead()

    def start(self) -> AllFilesView:
        on = self._listeners.on_task
        on("all-form", "submit", self._search)
        for picker in ("all-place", "all-type"):
            on(picker, "change", self._search)
        on("all-refresh", "click", self._refresh_index)
        on("all-results", "click", self._actions.row_click)
        on("all-crumbs", "click", self._crumb)
        element("all-type").innerHTML = type_choices()
        self._connections.follow(self._show_places)
        self._listeners.on_shown("all", self.show)
        linked = str(js.URLSearchParams.new(js.location.search).get("f") or "")
        self._listeners.start(self._open_linked(int(linked)) if linked.isdigit() else self.show())
        self._folders.follow(self._open_asked)
        return self

    def _open_asked(self, location: str) -> None:
        """Another view (a Files search match) asked for this folder: pick it now, so the
        showing that follows (the switch to this view) lists it."""
        place, _, folder = location.partition(":")
        self._pick_folder(place, folder)
        self._listeners.start(self.show())

    async def _open_linked(self, entry_id: int) -> None:
        """Show the folder holding the entry a ``/f/<id>`` link named, that entry marked."""
        try:
            entry = await call_api("GET", f"/catalog/entries/{entry_id}")
        except SyncoxideError as error:
            say_error(STATUS, error, what="The linked file could not be shown")
            await self.show()
            return
        self._linked = int(entry["id"])
        await self._open_folder(str(entry["source"]), str(entry["path"]).rpartition("/")[0])
        say(STATUS, f"Opened from its link: {entry['location']}.")

    def _show_places(self, connections: list[dict[str, Any]]) -> None:
        picked = str(element("all-place").value)
        element("all-place").innerHTML = place_choices(connections, picked)

    async def _search(self, _event: Any) -> None:
        self._folder = ""
        await self.show()

    async def show(self) -> None:
        words = str(element("all-query").value)
        place, kind = str(element("all-place").value), str(element("all-type").value)
        browsing = bool(place) and not words.strip() and not kind
        element("all-crumbs").innerHTML = (
            folder_crumbs_html(place, self._folder) if browsing else ""
        )
        asked = f"{place}:{self._folder}" if browsing else search_text(words, place, kind)
        latest = self._reads.ask()
        try:
            if browsing:
                location = quote(asked, safe="")
                answer = await call_api("GET", f"/catalog?location={location}&limit={SHOWN}")
            else:
                query = quote(asked, safe="")
                answer = await call_api("GET", f"/catalog/search?q={query}&limit={SHOWN}")
        except SyncoxideError as error:
            if latest():
                say_error(STATUS, error, what="The index could not be read")
            return
        if latest():
            self._draw(answer["entries"], browsing=browsing, asked=asked)

    def _draw(self, entries: list[dict[str, Any]], *, browsing: bool, asked: str) -> None:
        empty = "This folder is empty." if browsing else "No file in the index matches."
        count = "" if browsing or not entries else found_note(len(entries), SHOWN)
        shown = entries_html(entries, ACTIONS, empty=empty, linked=self._linked)
        results = element("all-results")
        results.innerHTML = count + shown
        results.dataset.shown = asked

    async def _open_folder(self, place: str, folder: str) -> None:
        self._pick_folder(place, folder)
        await self.show()

    def _pick_folder(self, place: str, folder: str) -> None:
        element("all-query").value = ""
        element("all-type").value = ""
        element("all-place").value = place
        self._folder = folder

    async def _crumb(self, event: Any) -> None:
        folder = data_of(event.target, "folder")  # "" is the top folder
        if folder is not None:
            self._folder = folder
            await self.show()

    async def _refresh_index(self, _event: Any) -> None:
        say(STATUS, "Reading every provider into the index…")
        try:
            answer = await call_api("POST", "/catalog/refresh", {})
        except SyncoxideError as error:
            say_error(STATUS, error, what="The index was not refreshed")
            return
        failed = [s for s in answer["sources"] if s["error"]]
        changed = sum(int(s["changed"]) for s in answer["sources"])
        text = f"Index up to date: {counted(changed, 'change')} found."
        if failed:
            text += " Not read: " + "; ".join(f"{s['source']}: {s['error']}" for s in failed)
        say(STATUS, text, error=bool(failed))
        await self.show()
