"""The Shared view: what you share (share links and request-files links) and what other
accounts share with you.

Links are managed in their own views (Share links, Request files); this one lists them side
by side, with whether each is still open. "Shared with me" lists each account share you
accepted, from whom and where your copy is, with its files; a folder opens in place.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import entries_html, links_html, received_html
from syncoxide_web.catalog.entry_actions import EntryActions
from syncoxide_web.platform.dom import Listeners, data_of, element, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.platform.latest import LatestRead

STATUS = "shared-status"
RECEIVED = "shared-with-me"
ACTIONS = ("star", "history")


class SharedView:
    def __init__(self, history: Feed[str]) -> None:
        self._listeners = Listeners()
        self._actions = EntryActions(STATUS, history, self.show, self._open_folder)
        self._reads = LatestRead()  # only the last read asked draws

    def start(self) -> SharedView:
        self._listeners.on_task(RECEIVED, "click", self._click)
        self._listeners.on_shown("shared", self.show)
        self._listeners.start(self.show())
        return self

    async def show(self) -> None:
        latest = self._reads.ask()
        try:
            shares = (await call_api("GET", "/shares"))["links"]
            requests = (await call_api("GET", "/requests"))["links"]
            received = (await call_api("GET", "/catalog/shared-with-me"))["shares"]
        except SyncoxideError as error:
            if latest():
                say_error(STATUS, error, what="What you share could not be read")
            return
        if not latest():
            return
        element("shared-shares").innerHTML = links_html(shares, "No share links yet.")
        element("shared-requests").innerHTML = links_html(requests, "No request links yet.")
        element(RECEIVED).innerHTML = _received_html(received)

    async def _click(self, event: Any) -> None:
        if (data_of(event.target, "action") or "") == "all-shares":
            await self.show()
        else:
            await self._actions.row_click(event)

    async def _open_folder(self, place: str, folder: str) -> None:
        location = quote(f"{place}:{folder}", safe="")
        try:
            found = (await call_api("GET", f"/catalog?location={location}"))["entries"]
        except SyncoxideError as error:
            say_error(STATUS, error, what=f"{place}:{folder} could not be listed")
            return
        back = '<button type="button" data-action="all-shares">All shares with me</button>'
        heading = f"<p>{back} {escape(place)}:{escape(folder)}</p>"
        element(RECEIVED).innerHTML = heading + entries_html(found, ACTIONS, empty="Empty.")


def _received_html(received: list[dict[str, Any]]) -> str:
    if not received:
        return '<p class="muted">Nothing shared with you yet.</p>'
    return "".join(
        received_html(share) + entries_html(share["entries"], ACTIONS, empty="Empty so far.")
        for share in received
    )
