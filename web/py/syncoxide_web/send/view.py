"""The Send view: pick files or a folder, get a link, and the files go peer to peer.

The transfer runs while this page is open. "Also upload" fills a share link on the server at
the same time and names it in the signaling room, so a recipient who finds this page closed is
sent to that copy. Every transfer is remembered (outgoing.py) until it is verified: after a
reload it is listed, the user picks the same files again, and the receiver resumes from what it
already wrote.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import js

from syncoxide.errors import CancelledByUserError, SyncoxideError, UsageError
from syncoxide.protocol.offer_summary import summarize
from syncoxide.units import counted, format_bytes
from syncoxide_web.p2p.files import BlobSources
from syncoxide_web.p2p.status import FINAL_STATES, TransferStatus, describe
from syncoxide_web.platform.clipboard import copy_link
from syncoxide_web.platform.dom import FAILED, Listeners, data_of, element, picked_files, say, show
from syncoxide_web.platform.qr import qr_image_url
from syncoxide_web.send import picked_handles
from syncoxide_web.send.outgoing import OutgoingTransfer, unfinished

REDRAW_EVERY = 0.25  # seconds between progress redraws (a status comes with every chunk)
STATUS = "send-status"


@dataclass
class Selection:
    """What is picked to send: the files by path, and what the pickers gave for a resume."""

    entries: list[tuple[str, Any]] = field(default_factory=list)  # (path, File)
    folders: tuple[str, ...] = ()  # empty folders too, when picked through the FS Access API
    handles: list[Any] = field(default_factory=list)  # the FS Access pickers' handles


class SendView:
    """The Send view: what is picked, the transfer running, and what the page shows of it."""

    def __init__(self) -> None:
        self._listeners = Listeners()
        self._picked = Selection()
        self._running: asyncio.Future[Any] | None = None
        self._uploads: list[asyncio.Task[str]] = []  # server copies being uploaded
        self._last_drawn = 0.0
        self._sending_room = ""  # the room this page is sending in now, if any

    def start(self) -> SendView:
        on = self._listeners.on
        on("send-files", "change", lambda _e: self._picked_in("send-files", by_folder=False))
        on("send-folder", "change", lambda _e: self._picked_in("send-folder", by_folder=True))
        on("send-start", "click", lambda _e: self._begin(None))
        on("send-cancel", "click", lambda _e: self._cancel())
        on("send-unfinished", "click", self._on_unfinished_click)
        self._listeners.on_task("send-copy", "click", lambda _e: copy_link("send-link", STATUS))
        if picked_handles.can_pick():  # one set of pickers: the ones that can resume
            show("send-pickers")
            show("send-inputs", False)
            self._listeners.on_task("send-pick-files", "click", lambda _e: self._pick(False))
            self._listeners.on_task("send-pick-folder", "click", lambda _e: self._pick(True))
        self._show_unfinished()
        return self

    def _picked_in(self, input_name: str, *, by_folder: bool) -> None:
        chosen = picked_files(input_name)
        self._use(
            Selection(
                sorted(
                    ((str(f.webkitRelativePath) if by_folder else str(f.name)), f) for f in chosen
                )
            )
        )

    async def _pick(self, folder: bool) -> None:
        try:
            if folder:
                handles = [await js.window.showDirectoryPicker()]
            else:
                options = js.Object.fromEntries([["multiple", True]])
                handles = list(await js.window.showOpenFilePicker(options))
        except Exception:  # the user closed the dialog: nothing to do
            return
        entries, folders = await picked_handles.entries_of(handles)
        self._use(Selection(entries, folders, handles))

    def _use(self, picked: Selection) -> None:
        self._picked = picked
        entries = picked.entries
        total = sum(int(f.size) for _, f in entries)
        names = ", ".join(path for path, _ in entries[:5])
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        element("send-picked").textContent = (
            f"{counted(len(entries), 'file')}, {format_bytes(total)}: {names}{more}"
            if entries
            else "Nothing picked yet."
        )

    def _begin(self, resume: OutgoingTransfer | None) -> None:
        if self._running is not None:
            say(STATUS, "A transfer is already running on this page: cancel it first.", state="")
            return
        self._running = self._listeners.start(self._send(resume))

    def _cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()

    async def _send(self, resume: OutgoingTransfer | None) -> None:
        server = str(js.location.origin)
        record = resume
        self._set_busy(True)
        say(STATUS, "Starting…", state="")  # clears the last transfer's final state
        try:
            sources, record = await self._prepare(server, resume)
            await self._deliver(server, sources, record)
            self._forget(record)
        except SyncoxideError as error:
            self._show_failure(error, record)
        except asyncio.CancelledError:
            self._show_cancelled(record)
        finally:
            self._running = None
            self._uploads = [upload for upload in self._uploads if not upload.done()]
            self._sending_room = ""
            self._set_busy(False)
            self._show_unfinished()

    async def _prepare(
        self, server: str, resume: OutgoingTransfer | None
    ) -> tuple[BlobSources, OutgoingTransfer]:
        """The picked files hashed, the room made (or reused) and its link shown."""
        from syncoxide_web.p2p.transfer import create_room, tell_room

        if resume is not None:
            await self._reopen_picked(resume.room_id)
        picked = self._picked
        if not picked.entries:
            raise UsageError("Pick files or a folder first.")
        sources = BlobSources(list(picked.entries), picked.folders)
        # The link first: the files are checked while it travels to the recipient, who
        # would otherwise wait for both, one after the other.
        room = resume.room if resume is not None else await create_room(server)
        offered = [(path, int(file.size)) for path, file in picked.entries]
        await tell_room(server, room, summarize(offered, picked.folders))
        self._show_link(room)
        manifest = await sources.hash_all(_checking(len(picked.entries)))
        if resume is not None and (why := resume.mismatch(manifest)):
            raise UsageError(
                f"These are not the files of that transfer: {why}",
                hint="Pick the same files or folder again, then Resume.",
            )
        return sources, resume or OutgoingTransfer(room, manifest)

    async def _deliver(self, server: str, sources: BlobSources, record: OutgoingTransfer) -> None:
        """The server copy started (if asked), the transfer saved for Resume, then sent."""
        from syncoxide_web.p2p.transfer import send_blobs

        copy = await self._server_copy(record)
        if copy is not None:
            self._uploads.append(copy)  # the Cancel button stops the upload too
        record.save()
        if self._picked.handles:
            await picked_handles.remember(record.room_id, list(self._picked.handles))
        self._sending_room = record.room_id
        self._show_unfinished()
        await send_blobs(
            server,
            sources,
            self._show_link,
            self._on_status,
            room=record.room,
            server_copy=copy,
        )

    def _show_failure(self, error: SyncoxideError, record: OutgoingTransfer | None) -> None:
        if data_of(element(STATUS), "state") not in FINAL_STATES:
            say(STATUS, f"Failed: {error}", state=FAILED)
        if record is not None and isinstance(error, CancelledByUserError):
            self._forget(record)  # the recipient stopped it: nothing to resume

    def _show_cancelled(self, record: OutgoingTransfer | None) -> None:
        for upload in self._uploads:
            upload.cancel()
        if data_of(element(STATUS), "state") not in FINAL_STATES:
            say(STATUS, "Cancelled. You stopped the transfer.", state="cancelled")
        if record is not None:  # cancelled on purpose: nothing left to resume
            self._forget(record)

    async def _reopen_picked(self, room_id: str) -> None:
        """Files picked through the File System Access API before a reload, if still readable."""
        handles = await picked_handles.recall(room_id) if picked_handles.can_pick() else []
        if handles and await picked_handles.readable(handles):
            entries, folders = await picked_handles.entries_of(handles)
            self._use(Selection(entries, folders, handles))

    def _forget(self, record: OutgoingTransfer) -> None:
        record.forget()
        if picked_handles.can_pick():
            self._listeners.start(picked_handles.forget(record.room_id))

    async def _server_copy(self, record: OutgoingTransfer) -> asyncio.Task[str] | None:
        """The upload of the server copy, started now; None when none was asked for."""
        from syncoxide_web.send.share_copy import ServerCopy

        wanted = element("send-upload").checked or record.share is not None
        if not wanted:
            return None
        if record.share is not None and record.share_complete:  # named again: rooms can forget
            return asyncio.ensure_future(_already(str(record.share["url"])))
        if record.share is None:
            record.share = (await ServerCopy.create(record.title)).share
        copy = ServerCopy(record.share)
        return asyncio.ensure_future(_upload(copy, record, list(self._picked.entries)))

    def _show_link(self, room: dict[str, Any]) -> None:
        show("send-link-box")
        link = element("send-link")
        if link.href != room["link"]:
            self._listeners.start(_show_qr(room["link"]))
        link.textContent = link.href = room["link"]
        element("send-code").textContent = room.get("code", "")
        command = f"syncoxide receive {room.get('code', '')} --server {js.location.origin}"
        element("send-command").textContent = command
        say(STATUS, "Waiting for the recipient to open the link…", state="waiting")

    def _on_status(self, status: TransferStatus) -> None:
        now = float(js.performance.now()) / 1000
        changed = data_of(element(STATUS), "state") != status.state
        if not changed and now - self._last_drawn < REDRAW_EVERY:
            return
        self._last_drawn = now
        say(STATUS, describe(status, now, "Sending"), state=status.state)
        element(STATUS).dataset.resumedFrom = str(status.resumed_from)
        bar = element("send-progress")
        show(bar)
        if status.total_bytes:
            bar.value = 100 * status.done_bytes / status.total_bytes

    def _set_busy(self, busy: bool) -> None:
        element("send-start").disabled = busy
        show("send-cancel", busy)

    def _show_unfinished(self) -> None:
        records = unfinished()
        show("send-unfinished-box", bool(records))
        items = [
            _unfinished_item(record, record.room_id == self._sending_room) for record in records
        ]
        element("send-unfinished").innerHTML = "".join(items)

    def _on_unfinished_click(self, event: Any) -> None:
        resume, forget = (event.target.getAttribute(f"data-{n}") for n in ("resume", "forget"))
        record = next((r for r in unfinished() if r.room_id in (resume, forget)), None)
        if record is None:
            return
        if resume:
            self._begin(record)
        else:
            self._forget(record)
            self._show_unfinished()


def _checking(count: int) -> Callable[[int, int], None]:
    """What the page says while the files are hashed; the link is out already."""
    checking = f"Checking {count} file{'' if count == 1 else 's'} (SHA-256)…"
    say(STATUS, f"{checking} The link can be shared already.", state="")

    def progress(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        say(STATUS, f"{checking} {percent}%. The link can be shared already.", state="")

    return progress


def _unfinished_item(record: OutgoingTransfer, sending_now: bool) -> str:
    files = len(record.manifest.files)
    size = format_bytes(record.manifest.total_size)
    copy = " · server copy" if record.share else ""
    room = escape(record.room_id)
    buttons = (
        "<em>sending now</em>"
        if sending_now
        else f'<button type="button" data-resume="{room}">Resume</button> '
        f'<button type="button" data-forget="{room}">Forget</button>'
    )
    return (
        f"<li>{escape(record.title)} · {counted(files, 'file')}, {size}{copy} · "
        f'<a href="{escape(record.room["link"])}">link</a> {buttons}</li>'
    )


async def _show_qr(link: str) -> None:
    qr = element("send-qr")
    qr.src = await qr_image_url(link)
    show(qr)


async def _already(url: str) -> str:
    return url


async def _upload(copy: Any, record: OutgoingTransfer, entries: list[tuple[str, Any]]) -> str:
    total = max(record.manifest.total_size, 1)
    sent = 0

    def count(amount: int) -> None:
        nonlocal sent
        sent += amount
        element(
            "send-copy-status"
        ).textContent = f"Server copy: {100 * sent / total:.0f}% uploaded."

    try:
        url: str = await copy.upload_missing(record.manifest, entries, count)
    except SyncoxideError as error:
        element("send-copy-status").textContent = f"The server copy failed: {error}"
        raise
    record.share_complete = True
    record.save()
    link = f"{js.location.origin}{url}"
    element("send-copy-status").textContent = f"Server copy ready: {link}"
    return url
