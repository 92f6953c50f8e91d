"""The Recent and Starred views: one list each, of files the user touched or starred.

Recent holds this user's own actions (created, changed, opened, downloaded, moved, restored),
never other people's; Starred what they marked. Both are read from the index on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import entries_html
from syncoxide_web.catalog.entry_actions import EntryActions
from syncoxide_web.platform.dom import Listeners, element, say, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.platform.latest import LatestRead


@dataclass(frozen=True)
class MarkedList:
    key: str  # the view's key, and the prefix of its elements' ids
    operation: str
    actions: tuple[str, ...]
    empty: str


RECENT = MarkedList(
    "recent",
    "/catalog/recent?limit=100",
    ("star", "history", "delete"),
    "Nothing yet: files you create, change, open or download show here.",
)
STARRED = MarkedList(
    "starred",
    "/catalog/starred?limit=500",
    ("unstar", "history"),
    "No starred files yet: star one in All files or Recent.",
)


class MarkedView:
    def __init__(self, marked: MarkedList, history: Feed[str]) -> None:
        self._marked = marked
        self._status = f"{marked.key}-status"
        self._listeners = Listeners()
        self._actions = EntryActions(self._status, history, self.show)
        self._reads = LatestRead()  # only the last read asked draws

    def start(self) -> MarkedView:
        key = self._marked.key
        self._listeners.on_task(f"{key}-list", "click", self._actions.row_click)
        self._listeners.on_shown(key, self.show)
        self._listeners.start(self.show())
        return self

    async def show(self) -> None:
        latest = self._reads.ask()
        try:
            answer = await call_api("GET", self._marked.operation)
        except SyncoxideError as error:
            if latest():
                say_error(self._status, error, what="The list could not be read")
            return
        if not latest():
            return
        element(f"{self._marked.key}-list").innerHTML = entries_html(
            answer["entries"], self._marked.actions, empty=self._marked.empty
        )
        say(self._status, "")
