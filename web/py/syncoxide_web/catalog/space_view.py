"""The Space and cleanup view: charts of where the space goes, duplicates, the largest files.

Everything comes from the index (``/catalog/stats`` and ``/catalog/dupes``). Delete on a
file of yours on this server sends it to the trash like everywhere else, so a cleanup is
undone from Trash; files on other providers are shown for what they are and left alone.
"""

from __future__ import annotations

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import entries_html
from syncoxide_web.catalog.entry_actions import EntryActions
from syncoxide_web.catalog.space_html import duplicates_html, stats_html
from syncoxide_web.platform.dom import Listeners, element, say_error
from syncoxide_web.platform.feed import Feed
from syncoxide_web.platform.latest import LatestRead

STATUS = "space-status"


class SpaceView:
    def __init__(self, history: Feed[str]) -> None:
        self._listeners = Listeners()
        self._actions = EntryActions(STATUS, history, self.show)
        self._reads = LatestRead()  # only the last read asked draws

    def start(self) -> SpaceView:
        for where in ("space-dupes", "space-largest"):
            self._listeners.on_task(where, "click", self._actions.row_click)
        self._listeners.on_shown("space", self.show)
        self._listeners.start(self.show())
        return self

    async def show(self) -> None:
        latest = self._reads.ask()
        try:
            stats = await call_api("GET", "/catalog/stats?limit=20")
            dupes = await call_api("GET", "/catalog/dupes?limit=50")
        except SyncoxideError as error:
            if latest():
                say_error(STATUS, error, what="The index could not be read")
            return
        if not latest():
            return
        element("space-charts").innerHTML = stats_html(stats)
        element("space-dupes").innerHTML = duplicates_html(dupes)
        element("space-largest").innerHTML = entries_html(
            stats["largest"], ("history", "delete"), empty="No files indexed yet."
        )
