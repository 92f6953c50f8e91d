"""The Files view: connect providers to the server, and find files across all of them.

Connecting sends the options to the server, which checks them against the provider before it
keeps them (secrets sealed); searching asks the server to list every connection through its
provider while the page walks this device's folders (``local_view``), and shows both in one
list. Your own files on this server are browsed, uploaded and managed in ``storage_view``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api, show_status, start_task
from syncoxide_web.files import local_view, storage_view
from syncoxide_web.files.storage_html import merged_answer
from syncoxide_web.sync.rules_html import (
    OPTION_HINTS,
    connections_html,
    files_html,
    parse_option_lines,
)

CONSENT_KINDS = ("gdrive", "dropbox")
_listeners: list[Any] = []
#: Called with the connections after each change (the rules form lists them too).
on_connections: list[Callable[[list[dict[str, Any]]], None]] = []


def _element(name: str) -> Any:
    return js.document.getElementById(name)


def _listen(element: Any, kind: str, handler: Callable[[Any], Coroutine[Any, Any, None]]) -> None:
    def start(event: Any) -> None:
        if kind == "submit":
            event.preventDefault()
        start_task(handler(event))

    proxy = create_proxy(start)
    _listeners.append(proxy)
    element.addEventListener(kind, proxy)


_say = show_status


def wire_files_view() -> None:
    _listen(_element("connect-form"), "submit", _connect)
    _listen(_element("files-form"), "submit", _search)
    _listen(_element("connections-list"), "click", _connection_action)
    _listen(_element("connect-kind"), "change", _show_hint)
    _listen(_element("connect-consent"), "click", _consent)
    _listen(_element("local-add"), "click", local_view.add_local_folder)
    _listen(_element("local-folders"), "click", local_view.local_folder_action)
    for where in ("storage-crumbs", "storage-list"):
        _listen(_element(where), "click", storage_view.storage_click)
    for picker in ("storage-files", "storage-folder"):
        _listen(_element(picker), "change", storage_view.upload_picked)
    _listen(_element("storage-mkdir"), "click", storage_view.make_folder)
    start_task(_show_hint(None))
    start_task(refresh_connections())
    start_task(local_view.load_local_folders())
    start_task(storage_view.open_folder(""))
    _show_consent_outcome()


async def _show_hint(_event: Any) -> None:
    kind = str(_element("connect-kind").value)
    _element("connect-options").placeholder = OPTION_HINTS.get(kind, "")
    _element("connect-consent").hidden = kind not in CONSENT_KINDS
    _element("connect-key-label").hidden = kind != "sftp"


def _show_consent_outcome() -> None:
    """Back from a consent screen: the server put the outcome in the query; show it once."""
    query = js.URLSearchParams.new(js.location.search)
    if query.has("consent_error"):
        _say("connect-status", str(query.get("consent_error")), error=True)
    elif query.has("connected"):
        _say("connect-status", f"Connected {query.get('connected')}.")
    else:
        return
    js.history.replaceState(None, "", "/" + str(js.location.hash))


async def _consent(_event: Any) -> None:
    try:
        started = await call_api("POST", "/connections/consent", _form_body())
    except SyncoxideError as error:
        _say("connect-status", f"{error.message} {error.hint or ''}".strip(), error=True)
        return
    _say("connect-status", "Opening the provider's consent screen…")
    js.location.href = started["authorize_url"]


async def refresh_connections() -> None:
    try:
        connections = (await call_api("GET", "/connections"))["connections"]
    except SyncoxideError as error:
        _say("connect-status", error.message, error=True)
        return
    _element("connections-list").innerHTML = connections_html(connections)
    for listener in on_connections:
        listener(connections)


def _form_body() -> dict[str, Any]:
    kind = str(_element("connect-kind").value)
    options = parse_option_lines(str(_element("connect-options").value))
    key = str(_element("connect-key").value).strip()
    if kind == "sftp" and key:
        options["private_key_data"] = key + "\n"
    return {"name": str(_element("connect-name").value).strip(), "kind": kind, "options": options}


async def _connect(_event: Any) -> None:
    button = _element("connect-submit")
    button.disabled = True
    try:
        body = _form_body()
        _say("connect-status", "Checking the connection with the provider…")
        made = await call_api("POST", "/connections", body)
        _element("connect-options").value = ""
        _element("connect-key").value = ""
        _say("connect-status", f"Connected {made['name']}.")
        await refresh_connections()
    except SyncoxideError as error:
        _say("connect-status", f"{error.message} {error.hint or ''}".strip(), error=True)
    finally:
        button.disabled = False


async def _connection_action(event: Any) -> None:
    action = str(event.target.dataset.action or "")
    item = event.target.closest("li.connection")
    if not action or item is None:
        return
    connection_id = int(item.dataset.connectionId)
    try:
        if action == "delete":
            if not js.window.confirm("Delete this connection and the rules that use it?"):
                return
            await call_api("DELETE", f"/connections/{connection_id}")
        elif action == "test":
            checked = await call_api("POST", f"/connections/{connection_id}/test")
            _say("connect-status", f"{checked['name']}: {checked['state']}")
        await refresh_connections()
    except SyncoxideError as error:
        _say("connect-status", error.message, error=True)


async def _search(_event: Any) -> None:
    """The server's answer for every connection and this device's folders, walked meanwhile."""
    query = str(_element("files-query").value).strip()
    still_wanted = local_view.new_walk()
    _say("files-status", "Listing every provider and this device's folders…")
    server_task = asyncio.ensure_future(call_api("GET", f"/files?q={quote(query)}"))
    local = await local_view.device_matches(query, still_wanted)
    server, server_error = None, None
    try:
        server = await server_task
    except SyncoxideError as error:
        server_error = error.message
    if not still_wanted():
        return  # a newer search replaced this one
    answer = merged_answer(server, local.files, local.errors, local.truncated, server_error)
    _element("files-results").innerHTML = files_html(answer)
    _say("files-status", f"{len(answer['files'])} files found.", error=server is None)
