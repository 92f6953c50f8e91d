"""The Request files view: make request links, list them, watch files arrive, download them.

Links and arrivals come from the JSON API; arrivals also appear live, pushed over the events
WebSocket (``request.arrived``). For an end-to-end encrypted link the key pair is made in this
page and kept here (``request_keys``), and arrivals are opened here (``request_arrivals``): the
server only ever had ciphertext under random names.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

import js

from syncoxide.errors import (
    FormatError,
    IntegrityError,
    SyncoxideError,
    UsageError,
    WrongKeyError,
)
from syncoxide.units import counted, format_bytes
from syncoxide_web.api.client import call_api
from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.platform.dom import Listeners, element, make, say, say_error, show

RESULTS_FOLDER = "request-output"


class RequestsView:
    """The Request files view: the owner's links, and the one whose arrivals are shown."""

    def __init__(self) -> None:
        self._listeners = Listeners()
        self._links: dict[str, dict[str, Any]] = {}  # by id, as last listed
        self._shown_link: dict[str, Any] | None = None  # whose arrivals are shown
        self._shown_files: list[dict[str, Any]] = []
        # Only arrivals from now on: the history the server replays first is not news.
        self._live = LiveEvents(
            self._listeners, ("request.arrived",), on_event=self._on_arrival, history=False
        )

    def start(self) -> RequestsView:
        def on(name: str, handler: Callable[[Any], object]) -> None:
            self._listeners.on(name, "click", handler)

        on("req-create", lambda _e: self._guarded("req-status", self._create))
        on("req-copy", lambda _e: self._copy_link())
        on("req-list", self._on_list_click)
        on("req-files", self._on_file_click)
        on("req-zip", lambda _e: self._guarded("req-arrivals-status", self._download_all))
        on("req-names", lambda _e: self._guarded("req-arrivals-status", self._show_names))
        self._guarded("req-status", self._refresh_list)
        self._live.open()
        return self

    def _guarded(self, where: str, work: Callable[[], Awaitable[object]]) -> None:
        async def run() -> None:
            try:
                await work()
            except SyncoxideError as error:
                say_error(where, error)

        self._listeners.start(run())

    async def _create(self) -> None:
        from syncoxide_web.links.request_keys import (
            MIN_PASSPHRASE,
            keep_request_key,
            make_request_key,
        )

        body = _request_body()
        key = None
        if element("req-encrypt").checked:
            passphrase = str(element("req-passphrase").value)
            if len(passphrase) < MIN_PASSPHRASE:
                raise UsageError(
                    f"Use a key passphrase of at least {MIN_PASSPHRASE} characters.",
                    hint="Nothing was created.",
                )
            say("req-status", "Making the key pair in this browser…")
            key = await make_request_key(passphrase)
            body["public_key"] = base64.b64encode(key.public_key).decode()
        made = await call_api("POST", "/requests", body)
        if key is not None:
            keep_request_key(key, made["id"])
        _show_made(made, encrypted=key is not None)
        await self._refresh_list()

    def _copy_link(self) -> None:
        async def copy() -> None:
            field = element("req-link")
            field.select()
            try:
                await js.navigator.clipboard.writeText(field.value)
            except Exception:  # no clipboard permission: the link is selected, ready to copy
                say("req-status", "Press Ctrl+C (or Cmd+C) to copy the selected link.")
                return
            say("req-status", "Link copied.")

        self._guarded("req-status", copy)

    async def _refresh_list(self) -> None:
        listed = await call_api("GET", "/requests")
        self._links.clear()
        rows = []
        for link in listed["links"]:
            self._links[link["id"]] = link
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
        empty = '<li class="muted">No request links yet.</li>'
        element("req-list").innerHTML = "".join(rows) or empty

    def _on_list_click(self, event: Any) -> None:
        if link_id := event.target.getAttribute("data-open"):
            self._guarded("req-arrivals-status", lambda: self._show_arrivals(str(link_id)))
        elif link_id := event.target.getAttribute("data-close"):
            self._guarded("req-status", lambda: self._close(str(link_id)))

    async def _close(self, link_id: str) -> None:
        """Stop taking files; what already arrived stays listed and downloadable."""
        await call_api("DELETE", f"/requests/{link_id}")
        await self._refresh_list()
        say("req-status", f"Closed “{self._links[link_id]['title']}”: it takes no more files.")

    async def _show_arrivals(self, link_id: str) -> None:
        link = self._links[link_id]
        arrived = await call_api("GET", f"/requests/{link_id}/arrivals")
        self._shown_link, self._shown_files = link, arrived["files"]
        encrypted = bool(link.get("public_key"))
        show("req-arrivals")
        element("req-arrivals-title").textContent = f"Arrived on “{link['title']}”"
        show("req-unlock", encrypted)
        element("req-zip").disabled = not arrived["files"]
        rows = [_arrival_row(file, encrypted) for file in arrived["files"]]
        element("req-files").innerHTML = "".join(rows) or '<li class="muted">Nothing yet.</li>'
        say("req-arrivals-status", f"{counted(len(rows), 'file')}.")

    async def _show_names(self) -> None:
        """Replace "encrypted file" by each arrival's real name, opened with the key here."""
        from syncoxide_web.links.request_arrivals import sealed_name

        private = await self._unlocked_key()
        for entry in self._shown_files:
            label = js.document.querySelector(f'#req-files li[data-file="{entry["id"]}"] .name')
            try:
                label.textContent = await sealed_name(entry, private)
            except (FormatError, IntegrityError, WrongKeyError) as error:
                label.textContent = f"cannot be opened: {error.message}"
        say("req-arrivals-status", "Names opened with the key in this browser.")

    def _on_file_click(self, event: Any) -> None:
        file_id = event.target.getAttribute("data-download")
        if file_id:
            self._guarded("req-arrivals-status", lambda: self._download_one(int(file_id)))

    def _link_shown(self) -> dict[str, Any]:
        if self._shown_link is None:  # its buttons are in the arrivals card: not seen before
            raise UsageError("Open a request link's arrivals first.")
        return self._shown_link

    async def _unlocked_key(self) -> Any:
        from syncoxide_web.links.request_keys import unlock_stored_key

        say("req-arrivals-status", "Unlocking the key…")
        passphrase = str(element("req-unlock-passphrase").value)
        return await unlock_stored_key(self._link_shown()["id"], passphrase)

    async def _download_one(self, file_id: int) -> None:
        entry = next(f for f in self._shown_files if f["id"] == file_id)
        if not self._link_shown().get("public_key"):
            _save_plain(entry["download_url"], "req-download")
            return
        from syncoxide_web.links.request_arrivals import open_arrival
        from syncoxide_web.platform.opfs_results import fresh_results_folder, offer_download

        private = await self._unlocked_key()
        folder = await fresh_results_folder(RESULTS_FOLDER)
        say("req-arrivals-status", "Downloading and decrypting…")
        opened = await open_arrival(entry, private, folder, f"arrival-{file_id}")
        name = opened.path.rsplit("/", 1)[-1]
        element("req-result").replaceChildren()
        await offer_download(opened.handle, name, "req-result", "req-download")
        say("req-arrivals-status", f"Decrypted and verified {opened.path} ({opened.size:,} bytes).")

    async def _download_all(self) -> None:
        link = self._link_shown()
        if not link.get("public_key"):
            _save_plain(f"/api/v1/requests/{link['id']}/zip", "req-download")
            return
        from syncoxide_web.links.request_arrivals import open_arrival, zip_opened
        from syncoxide_web.platform.opfs_results import fresh_results_folder, offer_download

        private = await self._unlocked_key()
        folder = await fresh_results_folder(RESULTS_FOLDER)
        opened, skipped = [], []
        for number, entry in enumerate(self._shown_files, start=1):
            say("req-arrivals-status", f"Decrypting {number} of {len(self._shown_files)}…")
            try:  # anyone may upload: one broken file must not cost the owner the others
                opened.append(await open_arrival(entry, private, folder, f"arrival-{entry['id']}"))
            except (FormatError, IntegrityError, WrongKeyError) as error:
                skipped.append(f"file {entry['id']}: {error.message}")
        if not opened:
            raise UsageError("No arrival could be opened with this key.", hint="; ".join(skipped))
        name = f"{link['title'] or 'request'}.zip"
        handle = await zip_opened(opened, folder, "all.zip", lambda _done: None)
        element("req-result").replaceChildren()
        await offer_download(handle, name, "req-result", "req-download")
        left_out = f" Skipped {len(skipped)}: {'; '.join(skipped)}" if skipped else ""
        say(
            "req-arrivals-status",
            f"Decrypted and verified {counted(len(opened), 'file')} into {name}.{left_out}",
        )

    def _on_arrival(self, payload: dict[str, Any]) -> None:
        link = self._links.get(payload.get("link", ""), {})
        encrypted = bool(link.get("public_key"))
        what = "an encrypted file" if encrypted else payload.get("path", "a file")
        late = " (late)" if payload.get("late") else ""
        text = f"New on “{payload.get('title', '')}”: {what}{late}"
        element("req-live").prepend(make("li", text))
        say("req-arrived", text, state="done")
        shown = self._shown_link
        if shown is not None and shown["id"] == payload.get("link"):
            self._guarded("req-arrivals-status", lambda: self._show_arrivals(shown["id"]))


def _number(name: str) -> int | None:
    text = str(element(name).value).strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{element(name).labels[0].textContent.strip()}: use a whole number.")
    return int(text)


def _request_body() -> dict[str, Any]:
    title = str(element("req-title").value).strip()
    if not title:
        raise UsageError("Give the request a title: it is what senders see first.")
    body: dict[str, Any] = {"title": title, "message": str(element("req-message").value)}
    if (days := _number("req-deadline")) is not None:
        body["deadline_in"] = days * 86400
    if element("req-late").checked:
        body["allow_late"] = True
    if password := str(element("req-password").value):
        body["password"] = password
    if (files := _number("req-max-files")) is not None:
        body["max_files"] = files
    if (megabytes := _number("req-max-mb")) is not None:
        body["max_total_bytes"] = megabytes * 1_000_000
    return body


def _show_made(made: dict[str, Any], encrypted: bool) -> None:
    from syncoxide_web.links.request_keys import export_url

    element("req-link").value = f"{js.location.origin}{made['url']}"
    show("req-made")
    export = element("req-key-export")
    show(export, encrypted)
    if encrypted:
        export.href = export_url(made["id"])
        export.download = f"request-key-{made['id']}.json"
    note = " The private key stays in this browser, sealed by your passphrase." if encrypted else ""
    say("req-status", f"Link ready: send it to the people who have the files.{note}")


def _save_plain(url: str, link_id: str) -> None:
    anchor = make("a", "Save", href=url, id=link_id, download="")
    element("req-result").replaceChildren(anchor)
    anchor.click()


def _arrival_row(file: dict[str, Any], encrypted: bool) -> str:
    late = " · late" if file["late"] else ""
    return (
        f'<li data-file="{file["id"]}"><span class="name">'
        + escape("encrypted file" if encrypted else file["path"])
        + "</span>"
        + f' <span class="muted">{format_bytes(file["size"])}{late}'
        + f'</span> <button type="button" data-download="{file["id"]}">Download</button></li>'
    )
