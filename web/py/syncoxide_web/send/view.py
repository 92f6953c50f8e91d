"""The Send view: pick files or a folder, get a link, and the files go peer to peer.

The transfer runs while this page is open. "Also upload" fills a share link on the server at
the same time and names it in the signaling room, so a recipient who finds this page closed is
sent to that copy. Every transfer is remembered (outgoing.py) until it is verified: after a
reload it is listed, the user picks the same files again, and the receiver resumes from what it
already wrote.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

from syncoxide.errors import CancelledByUserError, SyncoxideError, UsageError
from syncoxide.protocol.offer_summary import summarize
from syncoxide.units import format_bytes
from syncoxide_web.p2p.files import BlobSources
from syncoxide_web.p2p.status import FINAL_STATES, TransferStatus, describe
from syncoxide_web.send import picked_handles
from syncoxide_web.send.outgoing import OutgoingTransfer, unfinished

REDRAW_EVERY = 0.25  # seconds between progress redraws (a status comes with every chunk)

_listeners: list[Any] = []
_selection: list[tuple[str, Any]] = []
_folders: list[str] = []  # empty folders too, when picked through the File System Access API
_handles: list[Any] = []  # what the File System Access pickers gave, kept for a resume
_running: list[asyncio.Task[None]] = []
_running_aside: list[asyncio.Task[None]] = []  # small clean-ups, kept referenced until done
_uploads: list[asyncio.Task[str]] = []  # server copies being uploaded
_last_drawn = [0.0]
_sending_room = [""]  # the room this page is sending in now, if any


def wire_send_view() -> None:
    _listen("send-files", "change", lambda _e: _picked("send-files", by_folder=False))
    _listen("send-folder", "change", lambda _e: _picked("send-folder", by_folder=True))
    _listen("send-start", "click", lambda _e: _begin(None))
    _listen("send-cancel", "click", lambda _e: [task.cancel() for task in _running])
    _listen("send-unfinished", "click", _on_unfinished_click)
    if picked_handles.can_pick():
        _element("send-pickers").hidden = False
        _listen("send-pick-files", "click", lambda _e: asyncio.ensure_future(_pick(False)))
        _listen("send-pick-folder", "click", lambda _e: asyncio.ensure_future(_pick(True)))
    _show_unfinished()


def _listen(name: str, kind: str, handler: Any) -> None:
    proxy = create_proxy(handler)
    _listeners.append(proxy)
    _element(name).addEventListener(kind, proxy)


def _element(name: str) -> Any:
    return js.document.getElementById(name)


def _picked(input_name: str, *, by_folder: bool) -> None:
    files = _element(input_name).files
    chosen = [files.item(i) for i in range(int(files.length))]
    _use(sorted(((str(f.webkitRelativePath) if by_folder else str(f.name)), f) for f in chosen))


async def _pick(folder: bool) -> None:
    try:
        if folder:
            handles = [await js.window.showDirectoryPicker()]
        else:
            options = js.Object.fromEntries([["multiple", True]])
            handles = list(await js.window.showOpenFilePicker(options))
    except Exception:  # the user closed the dialog: nothing to do
        return
    entries, folders = await picked_handles.entries_of(handles)
    _use(entries, folders, handles)


def _use(
    entries: list[tuple[str, Any]], folders: tuple[str, ...] = (), handles: list[Any] | None = None
) -> None:
    _selection[:], _folders[:], _handles[:] = entries, folders, handles or []
    total = sum(int(f.size) for _, f in _selection)
    names = ", ".join(path for path, _ in _selection[:5])
    more = f" and {len(_selection) - 5} more" if len(_selection) > 5 else ""
    _element("send-picked").textContent = (
        f"{len(_selection)} files, {format_bytes(total)}: {names}{more}"
        if _selection
        else "Nothing picked yet."
    )


def _say(text: str, state: str = "") -> None:
    status = _element("send-status")
    status.textContent = text
    status.dataset.state = state
    status.className = "error" if state == "failed" else ""


def _begin(resume: OutgoingTransfer | None) -> None:
    if _running:
        _say("A transfer is already running on this page: cancel it first.")
        return
    _running.append(asyncio.ensure_future(_send(resume)))


async def _send(resume: OutgoingTransfer | None) -> None:
    from syncoxide_web.p2p.transfer import create_room, send_blobs, tell_room

    server = str(js.location.origin)
    record = resume
    _set_busy(True)
    _say("Starting…")  # clears the last transfer's final state
    try:
        if resume is not None:
            await _reopen_picked(resume.room_id)
        if not _selection:
            raise UsageError("Pick files or a folder first.")
        sources = BlobSources(list(_selection), tuple(_folders))
        # The link first: the files are checked while it travels to the recipient, who would
        # otherwise wait for both, one after the other.
        room = resume.room if resume is not None else await create_room(server)
        offered = [(path, int(file.size)) for path, file in _selection]
        await tell_room(server, room, summarize(offered, _folders))
        _show_link(room)
        count = len(_selection)
        checking = f"Checking {count} file{'' if count == 1 else 's'} (SHA-256)…"
        _say(f"{checking} The link can be shared already.")
        manifest = await sources.hash_all(
            lambda done, total: _say(
                f"{checking} {done * 100 // max(total, 1)}%. The link can be shared already."
            )
        )
        if resume is not None and (why := resume.mismatch(manifest)):
            raise UsageError(
                f"These are not the files of that transfer: {why}",
                hint="Pick the same files or folder again, then Resume.",
            )
        record = record or OutgoingTransfer(room, manifest)
        copy = await _server_copy(record)
        if copy is not None:
            _uploads.append(copy)  # the Cancel button stops the upload too
        record.save()
        if _handles:
            await picked_handles.remember(record.room_id, list(_handles))
        _sending_room[0] = record.room_id
        _show_unfinished()
        await send_blobs(
            server, sources, _show_link, _on_status, room=record.room, server_copy=copy
        )
        _forget(record)
    except SyncoxideError as error:
        if _element("send-status").dataset.state not in FINAL_STATES:
            _say(f"Failed: {error}", "failed")
        if record is not None and isinstance(error, CancelledByUserError):
            _forget(record)  # the recipient stopped it: nothing to resume
    except asyncio.CancelledError:
        for upload in _uploads:
            upload.cancel()
        if _element("send-status").dataset.state not in FINAL_STATES:
            _say("Cancelled. You stopped the transfer.", "cancelled")
        if record is not None:  # cancelled on purpose: nothing left to resume
            _forget(record)
    finally:
        _running.clear()
        _uploads[:] = [upload for upload in _uploads if not upload.done()]
        _sending_room[0] = ""
        _set_busy(False)
        _show_unfinished()


async def _reopen_picked(room_id: str) -> None:
    """Files picked through the File System Access API before a reload, if still readable."""
    handles = await picked_handles.recall(room_id) if picked_handles.can_pick() else []
    if handles and await picked_handles.readable(handles):
        _use(*await picked_handles.entries_of(handles), handles)


def _forget(record: OutgoingTransfer) -> None:
    record.forget()
    if picked_handles.can_pick():
        task = asyncio.ensure_future(picked_handles.forget(record.room_id))
        _running_aside.append(task)
        task.add_done_callback(_running_aside.remove)


async def _server_copy(record: OutgoingTransfer) -> asyncio.Task[str] | None:
    """The upload of the server copy, started now; None when none was asked for."""
    from syncoxide_web.send.share_copy import ServerCopy

    wanted = _element("send-upload").checked or record.share is not None
    if not wanted:
        return None
    if record.share is not None and record.share_complete:  # named again: rooms can forget
        return asyncio.ensure_future(_already(str(record.share["url"])))
    if record.share is None:
        record.share = (await ServerCopy.create(record.title)).share
    copy = ServerCopy(record.share)
    return asyncio.ensure_future(_upload(copy, record))


async def _already(url: str) -> str:
    return url


async def _upload(copy: Any, record: OutgoingTransfer) -> str:
    total = max(record.manifest.total_size, 1)
    sent = [0]

    def count(amount: int) -> None:
        sent[0] += amount
        _element(
            "send-copy-status"
        ).textContent = f"Server copy: {100 * sent[0] / total:.0f}% uploaded."

    try:
        url: str = await copy.upload_missing(record.manifest, list(_selection), count)
    except SyncoxideError as error:
        _element("send-copy-status").textContent = f"The server copy failed: {error}"
        raise
    record.share_complete = True
    record.save()
    link = f"{js.location.origin}{url}"
    _element("send-copy-status").textContent = f"Server copy ready: {link}"
    return url


def _show_link(room: dict[str, Any]) -> None:
    _element("send-link-box").hidden = False
    link = _element("send-link")
    link.textContent = link.href = room["link"]
    _element("send-code").textContent = room.get("code", "")
    _element(
        "send-command"
    ).textContent = f"syncoxide receive {room.get('code', '')} --server {js.location.origin}"
    _say("Waiting for the recipient to open the link…", "waiting")


def _on_status(status: TransferStatus) -> None:
    now = float(js.performance.now()) / 1000
    changed = _element("send-status").dataset.state != status.state
    if not changed and now - _last_drawn[0] < REDRAW_EVERY:
        return
    _last_drawn[0] = now
    _say(describe(status, now, "Sending"), status.state)
    _element("send-status").dataset.resumedFrom = str(status.resumed_from)
    bar = _element("send-progress")
    bar.hidden = False
    if status.total_bytes:
        bar.value = 100 * status.done_bytes / status.total_bytes


def _set_busy(busy: bool) -> None:
    _element("send-start").disabled = busy
    _element("send-cancel").hidden = not busy


def _show_unfinished() -> None:
    records = unfinished()
    _element("send-unfinished-box").hidden = not records
    items = []
    for record in records:
        files = len(record.manifest.files)
        size = format_bytes(record.manifest.total_size)
        copy = " · server copy" if record.share else ""
        room = escape(record.room_id)
        buttons = (
            "<em>sending now</em>"
            if record.room_id == _sending_room[0]
            else f'<button type="button" data-resume="{room}">Resume</button> '
            f'<button type="button" data-forget="{room}">Forget</button>'
        )
        items.append(
            f"<li>{escape(record.title)} · {files} files, {size}{copy} · "
            f'<a href="{escape(record.room["link"])}">link</a> {buttons}</li>'
        )
    _element("send-unfinished").innerHTML = "".join(items)


def _on_unfinished_click(event: Any) -> None:
    resume, forget = (event.target.getAttribute(f"data-{n}") for n in ("resume", "forget"))
    record = next((r for r in unfinished() if r.room_id in (resume, forget)), None)
    if record is None:
        return
    if resume:
        _begin(record)
    else:
        _forget(record)
        _show_unfinished()
