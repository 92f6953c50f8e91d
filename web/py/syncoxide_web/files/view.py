"""The Files view: connect providers to the server, and find files across all of them.

Connecting sends the options to the server, which checks them against the provider before it
keeps them (secrets sealed). Searching asks the server's index (``/catalog/search``:
milliseconds, not a walk of every provider) while the page walks this device's folders
(``local_view``), and shows both in one list, with a note for each connection the index never
read or read long ago (and the index's refresh). A match's path opens its folder in the All
files view. Your own files on this server are browsed, uploaded and managed in ``storage_view``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any
from urllib.parse import quote

import js

from syncoxide.errors import SyncoxideError
from syncoxide.units import counted
from syncoxide_web.api.client import call_api
from syncoxide_web.files.browser_view import BrowserCard
from syncoxide_web.files.local_view import LocalCard
from syncoxide_web.files.search_html import coverage_html, indexed_answer, status_html
from syncoxide_web.files.storage_html import merged_answer
from syncoxide_web.files.storage_view import StorageCard
from syncoxide_web.platform.dom import Listeners, data_of, element, present, say, say_error, show
from syncoxide_web.platform.feed import Feed
from syncoxide_web.sync.rules_html import (
    OPTION_HINTS,
    connections_html,
    files_html,
    parse_option_lines,
)

CONSENT_KINDS = ("gdrive", "dropbox")
STATUS = "connect-status"
SHOWN = 200  # matches asked of the index per search


class FilesView:
    """The Files view and its two cards; it tells the connections it loads to a feed."""

    def __init__(self, connections: Feed[list[dict[str, Any]]], folders: Feed[str]) -> None:
        self._listeners = Listeners()
        self._connections = connections
        self._folders = folders
        self._local = LocalCard()
        self._browser = BrowserCard()
        self._storage = StorageCard()

    def start(self) -> FilesView:
        on = self._listeners.on_task
        on("connect-form", "submit", self._connect)
        on("files-form", "submit", self._search)
        on("files-results", "click", self._result_click)
        on("connections-list", "click", self._connection_action)
        on("connect-kind", "change", _show_hint)
        on("connect-consent", "click", _consent)
        on("local-add", "click", self._local.add_local_folder)
        on("local-folders", "click", self._local.local_folder_action)
        for where in ("storage-crumbs", "storage-list"):
            on(where, "click", self._storage.storage_click)
        for picker in ("storage-files", "storage-folder"):
            on(picker, "change", self._storage.upload_picked)
        on("storage-mkdir", "click", self._storage.make_folder)
        on("browser-folders", "click", self._browser.folder_action)
        on("browser-files", "click", self._browser.file_action)
        on("browser-refresh", "click", lambda _e: self._browser.load())
        self._listeners.start(_show_hint(None))
        self._listeners.start(self.refresh_connections())
        self._listeners.start(self._local.load_local_folders())
        self._listeners.start(self._browser.load())
        self._listeners.start(self._storage.open_folder(""))
        _show_consent_outcome()
        return self

    async def refresh_connections(self) -> None:
        try:
            connections = (await call_api("GET", "/connections"))["connections"]
        except SyncoxideError as error:
            say(STATUS, error.message, error=True)
            return
        element("connections-list").innerHTML = connections_html(connections)
        self._connections.publish(connections)

    async def _connect(self, _event: Any) -> None:
        button = element("connect-submit")
        button.disabled = True
        try:
            body = _form_body()
            say(STATUS, "Checking the connection with the provider…")
            made = await call_api("POST", "/connections", body)
            element("connect-options").value = ""
            element("connect-key").value = ""
            say(STATUS, f"Connected {made['name']}.")
            await self.refresh_connections()
        except SyncoxideError as error:
            say_error(STATUS, error)
        finally:
            button.disabled = False

    async def _connection_action(self, event: Any) -> None:
        action = data_of(event.target, "action") or ""
        item = event.target.closest("li.connection")
        if not action or not present(item):
            return
        connection_id = int(item.dataset.connectionId)
        try:
            if action == "delete":
                if not js.window.confirm("Delete this connection and the rules that use it?"):
                    return
                await call_api("DELETE", f"/connections/{connection_id}")
            elif action == "test":
                checked = await call_api("POST", f"/connections/{connection_id}/test")
                say(STATUS, f"{checked['name']}: {checked['state']}")
            await self.refresh_connections()
        except SyncoxideError as error:
            say(STATUS, error.message, error=True)

    async def _search(self, _event: Any) -> None:
        """The index's answer for every place and this device's folders, walked meanwhile."""
        query = str(element("files-query").value).strip()
        still_wanted = self._local.new_walk()
        say("files-status", "Searching the index, this device's and this browser's folders…")
        server_task = asyncio.ensure_future(_indexed(query))
        local = await self._local.device_matches(query, still_wanted)
        in_browser = await self._browser.matches(query, still_wanted)
        local.files += in_browser.files
        local.errors += in_browser.errors
        local.truncated = local.truncated or in_browser.truncated
        server, note, server_error = None, "", None
        try:
            server, note = await server_task
        except SyncoxideError as error:
            server_error = error.message
        if not still_wanted():
            return  # a newer search replaced this one
        answer = merged_answer(
            server,
            local.files,
            local.errors,
            local_truncated=local.truncated,
            server_error=server_error,
        )
        element("files-results").innerHTML = note + files_html(answer)
        say("files-status", f"{counted(len(answer['files']), 'file')} found.", error=server is None)

    async def _result_click(self, event: Any) -> None:
        button = event.target  # hasAttribute: a missing attribute reads as a JS null, not None
        if button.hasAttribute("data-folder"):
            self._folders.publish(str(button.getAttribute("data-folder")))
            js.location.hash = "#/all"
        elif button.getAttribute("data-action") == "refresh":
            await self._refresh_index(button)

    async def _refresh_index(self, button: Any) -> None:
        button.disabled = True
        say("files-status", "Reading every provider into the index…")
        asked = asyncio.ensure_future(call_api("POST", "/catalog/refresh", {}))
        while not asked.done():  # each place says "refreshing" while the server reads it
            await asyncio.wait([asked], timeout=1)
            with contextlib.suppress(SyncoxideError):
                await _show_index_status()
        try:
            answer = await asked
        except SyncoxideError as error:
            say_error("files-status", error, what="The index was not refreshed")
            button.disabled = False
            return
        failed = [f"{s['source']}: {s['error']}" for s in answer["sources"] if s["error"]]
        await self._search(None)
        if failed:
            say("files-status", "Not read into the index: " + "; ".join(failed), error=True)


async def _indexed(query: str) -> tuple[dict[str, Any], str]:
    """The index's matches as the view's answer, and the note on what it may miss."""
    asked = f"/catalog/search?q={quote(query, safe='')}&limit={SHOWN}"
    found = asyncio.ensure_future(call_api("GET", asked))
    sources = (await call_api("GET", "/catalog/sources"))["sources"]
    return indexed_answer((await found)["entries"], shown=SHOWN), coverage_html(
        sources, time.time()
    )


async def _show_index_status() -> None:
    sources = (await call_api("GET", "/catalog/sources"))["sources"]
    shown = element("files-results").querySelector(".index-status")
    if present(shown):
        shown.outerHTML = status_html(sources, time.time())


async def _show_hint(_event: Any) -> None:
    kind = str(element("connect-kind").value)
    element("connect-options").placeholder = OPTION_HINTS.get(kind, "")
    show("connect-consent", kind in CONSENT_KINDS)
    show("connect-key-label", kind == "sftp")


def _show_consent_outcome() -> None:
    """Back from a consent screen: the server put the outcome in the query; show it once."""
    query = js.URLSearchParams.new(js.location.search)
    if query.has("consent_error"):
        say(STATUS, str(query.get("consent_error")), error=True)
    elif query.has("connected"):
        say(STATUS, f"Connected {query.get('connected')}.")
    else:
        return
    js.history.replaceState(None, "", "/" + str(js.location.hash))


async def _consent(_event: Any) -> None:
    try:
        started = await call_api("POST", "/connections/consent", _form_body())
    except SyncoxideError as error:
        say_error(STATUS, error)
        return
    say(STATUS, "Opening the provider's consent screen…")
    js.location.href = started["authorize_url"]


def _form_body() -> dict[str, Any]:
    kind = str(element("connect-kind").value)
    options = parse_option_lines(str(element("connect-options").value))
    key = str(element("connect-key").value).strip()
    if kind == "sftp" and key:
        options["private_key_data"] = key + "\n"
    return {"name": str(element("connect-name").value).strip(), "kind": kind, "options": options}
