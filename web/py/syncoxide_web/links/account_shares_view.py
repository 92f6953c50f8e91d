"""Shares with other accounts in the Share links view: invite, Shared with me, Shared by me.

Everything goes through ``/api/v1/account-shares``; the lists refresh when an invitation,
an answer or a change arrives over the live events socket (``share.*``), so a recipient sees a
new invitation without reloading.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from syncoxide.crypto import stream
from syncoxide.errors import SyncoxideError
from syncoxide.units import format_bytes
from syncoxide_web.api.client import call_api
from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.links.encrypted_share_files import (
    OpenedShare,
    add_file,
    check_can_add,
    decrypt_into,
    open_share,
    relisted,
)
from syncoxide_web.platform.dom import Listeners, element, picked_files, say, say_error, show
from syncoxide_web.platform.opfs_results import fresh_results_folder, offer_download

BASE = "/account-shares"


class AccountSharesView:
    def __init__(self) -> None:
        self._listeners = Listeners()
        self._opened: OpenedShare | None = None

    def start(self) -> AccountSharesView:
        self._listeners.on("acct-invite", "click", lambda _e: self._guarded(self._invite))
        self._listeners.on("acct-with-me", "click", self._on_answer)
        self._listeners.on("acct-mine", "click", self._on_answer)
        self._listeners.on("acct-sealed-files", "click", self._on_sealed_file)
        self._listeners.on("acct-sealed-add", "change", self._on_sealed_add)
        self._guarded(self._refresh)
        # An invitation, an answer or a change (share.*) refreshes the lists; a burst, once.
        self._live = LiveEvents(
            self._listeners, ("share.",), on_change=self._refresh_or_say, history=False
        )
        self._live.open()
        return self

    def _guarded(self, work: Callable[[], Awaitable[object]]) -> None:
        async def run() -> None:
            try:
                await work()
            except SyncoxideError as error:
                say_error("acct-status", error)

        self._listeners.start(run())

    async def _invite(self) -> None:
        body = {
            "to": str(element("acct-to").value).strip(),
            "place": str(element("acct-place").value).strip(),
            "read_only": bool(element("acct-read-only").checked),
        }
        made = await call_api("POST", BASE, body)
        say("acct-status", f"Invited {made['recipient']} to {made['place']}.")
        await self._refresh()

    def _on_answer(self, event: Any) -> None:
        target = event.target
        step = str(target.getAttribute("data-step") or "")
        share_id = str(target.getAttribute("data-share") or "")
        if not step or not share_id.isdecimal():
            return
        if step == "open":
            self._guarded(lambda: self._open(int(share_id)))
            return

        async def answer() -> None:
            body: dict[str, Any] | None = None
            if step == "accept":
                place = str(element("acct-accept-place").value).strip()
                body = {"place": place} if place else {}
            done = await call_api("POST", f"{BASE}/{share_id}/{step}", body)
            say("acct-status", f"{done['name']}: {done['state']}.")
            await self._refresh()

        self._guarded(answer)

    async def _open(self, share_id: int) -> None:
        """List an encrypted share's files by their real names (nothing decrypted yet)."""
        say("acct-status", "Unlocking your account key…")
        show("acct-sealed-add-label", False)
        passphrase = str(element("acct-passphrase").value)
        _, self._opened = await open_share(share_id, passphrase)
        self._show_files(self._opened)
        adding = "You can add files below." if _can_add(self._opened) else ""
        if self._opened.role == "owner":
            adding = f"Add files to it with the CLI: syncoxide shares put {share_id} FILE."
        say(
            "acct-status",
            f"Opened: {len(self._opened.files)} files. The owner's key fingerprint is "
            f"{self._opened.owner_fingerprint}; compare it with theirs. {adding}",
        )

    def _show_files(self, opened: OpenedShare) -> None:
        element("acct-sealed-files").innerHTML = (
            "".join(
                f'<li>{escape(item.path)} <button type="button" data-file="{number}">'
                f"Decrypt and save</button></li>"
                for number, item in enumerate(opened.files)
            )
            or '<li class="muted">No files yet.</li>'
        )
        show("acct-sealed-add-label", _can_add(opened))

    def _on_sealed_add(self, event: Any) -> None:
        picker, opened = event.target, self._opened
        files = picked_files(picker)
        if opened is None or not files:
            return

        async def add() -> None:
            try:
                for number, file in enumerate(files, 1):
                    await self._add_one(opened, file, f"{number} of {len(files)}")
            finally:
                picker.value = ""  # the same file can be picked again
                self._opened = await relisted(opened)
                self._show_files(self._opened)
            say(
                "acct-status",
                f"Sealed and added {len(files)} files; the owner gets them at the next sync.",
            )

        self._guarded(add)

    async def _add_one(self, opened: OpenedShare, file: Any, which: str) -> None:
        path = str(file.webkitRelativePath or "") or str(file.name)
        size = stream.sealed_size(int(file.size))  # what goes up: the sealed file

        def progress(sent: int) -> None:
            say("acct-status", f"Sealing and uploading {which}: “{path}”, {format_bytes(sent)} "
                f"of {format_bytes(size)}…")  # fmt: skip

        progress(0)
        await add_file(opened, file, path, progress)

    def _on_sealed_file(self, event: Any) -> None:
        number = str(event.target.getAttribute("data-file") or "")
        opened = self._opened
        if not number.isdecimal() or opened is None or int(number) >= len(opened.files):
            return
        item = opened.files[int(number)]

        async def save() -> None:
            folder = await fresh_results_folder("account-share-files")
            handle, name = await decrypt_into(opened, item, folder)
            await offer_download(handle, name, "acct-sealed-files", f"acct-saved-{number}")
            say("acct-status", f"Decrypted {item.path}.")

        self._guarded(save)

    async def _refresh(self) -> None:
        listed = await call_api("GET", BASE)
        mine = [s for s in listed["shares"] if s["role"] == "owner"]
        with_me = [s for s in listed["shares"] if s["role"] == "recipient"]
        element("acct-with-me").innerHTML = "".join(_row(s) for s in with_me) or _EMPTY
        element("acct-mine").innerHTML = "".join(_row(s) for s in mine) or _EMPTY

    async def _refresh_or_say(self) -> None:
        try:
            await self._refresh()
        except SyncoxideError as error:
            say_error("acct-status", error)


_EMPTY = '<li class="muted">None yet.</li>'


def _can_add(opened: OpenedShare) -> bool:
    try:
        check_can_add(opened)
    except SyncoxideError:
        return False
    return True


_STEPS = {
    ("recipient", "invited"): (("accept", "Accept"), ("decline", "Decline")),
    ("recipient", "accepted"): (("sync", "Sync now"), ("leave", "Leave")),
    ("owner", "invited"): (("revoke", "Revoke"),),
    ("owner", "accepted"): (("sync", "Sync now"), ("revoke", "Revoke")),
}


def _row(share: dict[str, Any]) -> str:
    who = f"from {share['owner']}" if share["role"] == "recipient" else f"to {share['recipient']}"
    where = f" · {share['place']}" if share.get("place") else ""
    synced = f" · {share['sync_status']}" if share.get("sync_status") else ""
    steps = _STEPS.get((share["role"], share["state"]), ())
    if share.get("encrypted") and share["state"] == "accepted":
        steps = (("open", "Open encrypted"), *steps)
    buttons = "".join(
        f' <button type="button" data-step="{step}" data-share="{share["id"]}">{label}</button>'
        for step, label in steps
    )
    sealed = " · encrypted" if share.get("encrypted") else ""
    return (
        f'<li data-share-row="{share["id"]}"><strong>{escape(share["name"])}</strong>'
        f' <span class="muted">{escape(who)} · {escape(share["access"])}{sealed} · '
        f"{escape(share['state'])}{escape(synced)}{escape(where)}</span>{buttons}</li>"
    )
