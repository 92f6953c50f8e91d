"""The Shared view: what you share, in one place: share links and request-files links.

Both are managed in their own views (Share links, Request files); this one lists them side
by side, with whether each is still open.
"""

from __future__ import annotations

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.catalog.catalog_html import links_html
from syncoxide_web.platform.dom import Listeners, element, say_error

STATUS = "shared-status"


class SharedView:
    def __init__(self) -> None:
        self._listeners = Listeners()

    def start(self) -> SharedView:
        self._listeners.on_shown("shared", self.show)
        self._listeners.start(self.show())
        return self

    async def show(self) -> None:
        try:
            shares = (await call_api("GET", "/shares"))["links"]
            requests = (await call_api("GET", "/requests"))["links"]
        except SyncoxideError as error:
            say_error(STATUS, error, what="Your links could not be read")
            return
        element("shared-shares").innerHTML = links_html(shares, "No share links yet.")
        element("shared-requests").innerHTML = links_html(requests, "No request links yet.")
