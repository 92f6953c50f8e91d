"""The Request files view: make request links, list them, watch files arrive, download them.

Links and arrivals come from the JSON API; arrivals also appear live, pushed over the events
WebSocket (``request.arrived``). For an end-to-end encrypted link the key pair is made in this
page and kept here (``request_keys``), and arrivals are opened here (``request_arrivals``): the
server only ever had ciphertext under random names.
"""

from __future__ import annotations

import base64
import json
from html import escape
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

from syncoxide.errors import (
    FormatError,
    IntegrityError,
    SyncoxideError,
    UsageError,
    WrongKeyError,
)
from syncoxide.units import counted, format_bytes
from syncoxide_web.api.client import call_api, live_socket_url, start_task

RESULTS_FOLDER = "request-output"
RECONNECT_SECONDS = 3


_listeners: list[Any] = []
_links: dict[str, dict[str, Any]] = {}
_shown: dict[str, Any] = {"link": None, "files": []}


def _element(name: str) -> Any:
    return js.document.getElementById(name)


def _say(where: str, text: str, *, error: bool = False) -> None:
    status = _element(where)
    status.textContent = text
    status.className = "error" if error else ""


def _guarded(where: str, work: Any) -> None:
    async def run() -> None:
        try:
            await work()
        except SyncoxideError as error:
            _say(where, f"{error.message} {error.hint or ''}".strip(), error=True)

    start_task(run())


def wire_requests_view() -> None:
    def on(name: str, handler: Any) -> None:
        proxy = create_proxy(handler)
        _listeners.append(proxy)
        _element(name).addEventListener("click", proxy)

    on("req-create", lambda _e: _guarded("req-status", _create))
    on("req-copy", lambda _e: _copy_link())
    on("req-list", lambda e: _on_list_click(e))
    on("req-files", lambda e: _on_file_click(e))
    on("req-zip", lambda _e: _guarded("req-arrivals-status", _download_all))
    on("req-names", lambda _e: _guarded("req-arrivals-status", _show_names))
    _guarded("req-status", _refresh_list)
    _listen_live(0)


def _number(name: str) -> int | None:
    text = str(_element(name).value).strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{_element(name).labels[0].textContent.strip()}: use a whole number.")
    return int(text)


def _request_body() -> dict[str, Any]:
    title = str(_element("req-title").value).strip()
    if not title:
        raise UsageError("Give the request a title: it is what senders see first.")
    body: dict[str, Any] = {"title": title, "message": str(_element("req-message").value)}
    if (days := _number("req-deadline")) is not None:
        body["deadline_in"] = days * 86400
    if _element("req-late").checked:
        body["allow_late"] = True
    if password := str(_element("req-password").value):
        body["password"] = password
    if (files := _number("req-max-files")) is not None:
        body["max_files"] = files
    if (megabytes := _number("req-max-mb")) is not None:
        body["max_total_bytes"] = megabytes * 1_000_000
    return body


async def _create() -> None:
    from syncoxide_web.links.request_keys import MIN_PASSPHRASE, keep_request_key, make_request_key

    body = _request_body()
    key = None
    if _element("req-encrypt").checked:
        passphrase = str(_element("req-passphrase").value)
        if len(passphrase) < MIN_PASSPHRASE:
            raise UsageError(
                f"Use a key passphrase of at least {MIN_PASSPHRASE} characters.",
                hint="Nothing was created.",
            )
        _say("req-status", "Making the key pair in this browser…")
        key = await make_request_key(passphrase)
        body["public_key"] = base64.b64encode(key.public_key).decode()
    made = await call_api("POST", "/requests", body)
    if key is not None:
        keep_request_key(key, made["id"])
    _show_made(made, encrypted=key is not None)
    await _refresh_list()


def _show_made(made: dict[str, Any], encrypted: bool) -> None:
    from syncoxide_web.links.request_keys import export_url

    _element("req-link").value = f"{js.location.origin}{made['url']}"
    _element("req-made").hidden = False
    export = _element("req-key-export")
    export.hidden = not encrypted
    if encrypted:
        export.href = export_url(made["id"])
        export.download = f"request-key-{made['id']}.json"
    note = " The private key stays in this browser, sealed by your passphrase." if encrypted else ""
    _say("req-status", f"Link ready: send it to the people who have the files.{note}")


def _copy_link() -> None:
    async def copy() -> None:
        field = _element("req-link")
        field.select()
        try:
            await js.navigator.clipboard.writeText(field.value)
        except Exception:  # no clipboard permission: the link is selected, ready to copy
            _say("req-status", "Press Ctrl+C (or Cmd+C) to copy the selected link.")
            return
        _say("req-status", "Link copied.")

    _guarded("req-status", copy)


async def _refresh_list() -> None:
    listed = await call_api("GET", "/requests")
    _links.clear()
    rows = []
    for link in listed["links"]:
        _links[link["id"]] = link
        marks = " · end-to-end encrypted" if link.get("public_key") else ""
        marks += " · closed" if link.get("revoked_at") else ""
        rows.append(
            f'<li data-link="{escape(link["id"])}"><strong>{escape(link["title"])}</strong>'
            f' <a href="{escape(link["url"])}" target="_blank" rel="noopener">'
            f'{escape(link["url"])}</a><span class="muted">{escape(marks)}</span>'
            f' <button type="button" data-open="{escape(link["id"])}">Arrivals</button>'
            + (
                ""
                if link.get("revoked_at")
                else f' <button type="button" data-close="{escape(link["id"])}">Close</button>'
            )
            + "</li>"
        )
    _element("req-list").innerHTML = "".join(rows) or '<li class="muted">No request links yet.</li>'


def _on_list_click(event: Any) -> None:
    if link_id := event.target.getAttribute("data-open"):
        _guarded("req-arrivals-status", lambda: _show_arrivals(str(link_id)))
    elif link_id := event.target.getAttribute("data-close"):
        _guarded("req-status", lambda: _close(str(link_id)))


async def _close(link_id: str) -> None:
    """Stop taking files; what already arrived stays listed and downloadable."""
    await call_api("DELETE", f"/requests/{link_id}")
    await _refresh_list()
    _say("req-status", f"Closed “{_links[link_id]['title']}”: it takes no more files.")


async def _show_arrivals(link_id: str) -> None:
    link = _links[link_id]
    arrived = await call_api("GET", f"/requests/{link_id}/arrivals")
    _shown["link"], _shown["files"] = link, arrived["files"]
    encrypted = bool(link.get("public_key"))
    _element("req-arrivals").hidden = False
    _element("req-arrivals-title").textContent = f"Arrived on “{link['title']}”"
    _element("req-unlock").hidden = not encrypted
    _element("req-zip").disabled = not arrived["files"]
    rows = [
        f'<li data-file="{file["id"]}"><span class="name">'
        + escape("encrypted file" if encrypted else file["path"])
        + "</span>"
        + f' <span class="muted">{format_bytes(file["size"])}{" · late" if file["late"] else ""}'
        + f'</span> <button type="button" data-download="{file["id"]}">Download</button></li>'
        for file in arrived["files"]
    ]
    _element("req-files").innerHTML = "".join(rows) or '<li class="muted">Nothing yet.</li>'
    _say("req-arrivals-status", f"{counted(len(rows), 'file')}.")


async def _show_names() -> None:
    """Replace "encrypted file" by each arrival's real name, opened with the key here."""
    from syncoxide_web.links.request_arrivals import sealed_name

    private = await _unlocked_key()
    for entry in _shown["files"]:
        label = js.document.querySelector(f'#req-files li[data-file="{entry["id"]}"] .name')
        try:
            label.textContent = await sealed_name(entry, private)
        except (FormatError, IntegrityError, WrongKeyError) as error:
            label.textContent = f"cannot be opened: {error.message}"
    _say("req-arrivals-status", "Names opened with the key in this browser.")


def _on_file_click(event: Any) -> None:
    file_id = event.target.getAttribute("data-download")
    if file_id:
        _guarded("req-arrivals-status", lambda: _download_one(int(file_id)))


def _save_plain(url: str, link_id: str) -> None:
    anchor = js.document.createElement("a")
    anchor.href = url
    anchor.id = link_id
    anchor.download = ""
    anchor.textContent = "Save"
    _element("req-result").replaceChildren(anchor)
    anchor.click()


async def _unlocked_key() -> Any:
    from syncoxide_web.links.request_keys import unlock_stored_key

    _say("req-arrivals-status", "Unlocking the key…")
    passphrase = str(_element("req-unlock-passphrase").value)
    return await unlock_stored_key(_shown["link"]["id"], passphrase)


async def _download_one(file_id: int) -> None:
    entry = next(f for f in _shown["files"] if f["id"] == file_id)
    if not _shown["link"].get("public_key"):
        _save_plain(entry["download_url"], "req-download")
        return
    from syncoxide_web.links.request_arrivals import open_arrival
    from syncoxide_web.platform.opfs_results import fresh_results_folder, offer_download

    private = await _unlocked_key()
    folder = await fresh_results_folder(RESULTS_FOLDER)
    _say("req-arrivals-status", "Downloading and decrypting…")
    opened = await open_arrival(entry, private, folder, f"arrival-{file_id}")
    name = opened.path.rsplit("/", 1)[-1]
    _element("req-result").replaceChildren()
    await offer_download(opened.handle, name, "req-result", "req-download")
    _say("req-arrivals-status", f"Decrypted and verified {opened.path} ({opened.size:,} bytes).")


async def _download_all() -> None:
    link = _shown["link"]
    if not link.get("public_key"):
        _save_plain(f"/api/v1/requests/{link['id']}/zip", "req-download")
        return
    from syncoxide_web.links.request_arrivals import open_arrival, zip_opened
    from syncoxide_web.platform.opfs_results import fresh_results_folder, offer_download

    private = await _unlocked_key()
    folder = await fresh_results_folder(RESULTS_FOLDER)
    opened, skipped = [], []
    for number, entry in enumerate(_shown["files"], start=1):
        _say("req-arrivals-status", f"Decrypting {number} of {len(_shown['files'])}…")
        try:  # anyone may upload: one broken file must not cost the owner the others
            opened.append(await open_arrival(entry, private, folder, f"arrival-{entry['id']}"))
        except (FormatError, IntegrityError, WrongKeyError) as error:
            skipped.append(f"file {entry['id']}: {error.message}")
    if not opened:
        raise UsageError("No arrival could be opened with this key.", hint="; ".join(skipped))
    name = f"{link['title'] or 'request'}.zip"
    handle = await zip_opened(opened, folder, "all.zip", lambda _done: None)
    _element("req-result").replaceChildren()
    await offer_download(handle, name, "req-result", "req-download")
    left_out = f" Skipped {len(skipped)}: {'; '.join(skipped)}" if skipped else ""
    _say(
        "req-arrivals-status",
        f"Decrypted and verified {counted(len(opened), 'file')} into {name}.{left_out}",
    )


def _listen_live(after: int) -> None:
    """Follow the user's events; replayed history is skipped until the server says caught up."""
    socket = js.WebSocket.new(live_socket_url(after))
    state = {"last": after, "live": after > 0}

    def on_message(event: Any) -> None:
        message = json.loads(str(event.data))
        if message.get("type") == "caught_up":
            state["live"], state["last"] = True, int(message.get("last_id") or state["last"])
        elif message.get("type") == "event":
            state["last"] = max(state["last"], int(message["id"]))
            if state["live"] and message.get("kind") == "request.arrived":
                _on_arrival(message["payload"])

    def on_close(_event: Any) -> None:
        if int(getattr(_event, "code", 0)) in (4401, 4403):
            return  # signed out or refused: nothing to follow
        retry = create_proxy(lambda: _listen_live(state["last"]))
        _listeners.append(retry)
        js.setTimeout(retry, RECONNECT_SECONDS * 1000)

    for kind, handler in (("message", on_message), ("close", on_close)):
        proxy = create_proxy(handler)
        _listeners.append(proxy)
        socket.addEventListener(kind, proxy)


def _on_arrival(payload: dict[str, Any]) -> None:
    link = _links.get(payload.get("link", ""), {})
    encrypted = bool(link.get("public_key"))
    what = "an encrypted file" if encrypted else payload.get("path", "a file")
    late = " (late)" if payload.get("late") else ""
    item = js.document.createElement("li")
    item.textContent = f"New on “{payload.get('title', '')}”: {what}{late}"
    _element("req-live").prepend(item)
    shown = _shown["link"]
    if shown is not None and shown["id"] == payload.get("link"):
        _guarded("req-arrivals-status", lambda: _show_arrivals(shown["id"]))
