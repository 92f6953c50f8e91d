"""The Devices view: this browser as a device, pairing by code, and the web of trust.

Everything here lives in this browser (``store.py``): the server only relays pairing in a room
and never sees a key or a trust record, so this view calls no API of ours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import js

from syncoxide.devices.device_id import device_id
from syncoxide.devices.pairing import PairingCode
from syncoxide.devices.records import RecordKind
from syncoxide.devices.report import ledger_report
from syncoxide.devices.trust import TrustLedger
from syncoxide.errors import InvalidInputError, NotFoundError, SyncoxideError
from syncoxide_web.devices import picked_folder
from syncoxide_web.devices.device_sync import THIS_TAB, BrowserDeviceSync
from syncoxide_web.devices.devices_html import (
    device_names,
    graph_html,
    revoked_html,
    shared_folders_html,
    suggested_html,
    sync_peer_options,
    this_device_html,
    trusted_html,
)
from syncoxide_web.devices.pairing import PairedDevice, join_pairing, offer_pairing
from syncoxide_web.devices.store import BrowserDeviceStore, now, place_label
from syncoxide_web.platform.dom import Listeners, data_of, element, present, say, say_error, show

STATUS = "paired-status"
SYNC_STATUS = "device-sync-status"
#: Where a revocation made here goes: the daemons it reaches pass records on to their peers.
SPREAD = (
    "Devices syncing with this page learn it now and pass it on; others learn it when one of "
    "them meets them, or from `syncoxide devices revoke ID` there."
)
KEPT = "Nothing was changed in it or on your other devices."
#: The other device waits 30 s for the answer; ask within that.
CONFIRM_SECONDS = 25.0


class DevicesView:
    def __init__(self) -> None:
        self._listeners = Listeners()
        self._store = BrowserDeviceStore()
        self._answer: asyncio.Future[bool] | None = None
        self._pairing: asyncio.Future[Any] | None = None
        # Runs while the page is open, whichever view is on screen.
        self._sync = BrowserDeviceSync(self._store, self._sync_state)
        self._sync_states: dict[str, tuple[str, bool]] = {}
        self._names: dict[str, str] = {}
        self._picked: Any = None  # the folder picked on disk for the next share, if any

    def start(self) -> DevicesView:
        element("paired-server").textContent = str(js.location.origin)
        self._listeners.on_task("paired-form", "submit", self._pair)
        self._listeners.on_task("paired-name-form", "submit", self._rename)
        self._listeners.on("paired-offer", "click", lambda _e: self._begin(self._offer()))
        self._listeners.on("paired-offer-cancel", "click", lambda _e: self._stop())
        self._listeners.on("paired-confirm-yes", "click", lambda _e: self._decide(True))
        self._listeners.on("paired-confirm-no", "click", lambda _e: self._decide(False))
        self._listeners.on_task("paired-trusted", "click", self._trusted_click)
        self._listeners.on_task("paired-suggested", "click", self._suggested_click)
        self._listeners.on_task("device-sync-form", "submit", self._share_folder)
        self._listeners.on_task("device-sync-folders", "click", self._folders_click)
        if picked_folder.can_pick():
            self._listeners.on_task("device-sync-pick", "click", self._pick)
        else:  # Firefox, Safari: browser folders only, and the view says why
            show("device-sync-disk", False)
            element("device-sync-no-picker").textContent = picked_folder.NOT_SUPPORTED
            show("device-sync-no-picker")
        self._listeners.on_shown("devices", self.show)
        self._listeners.start(self._show_and_sync())
        return self

    async def _show_and_sync(self) -> None:
        await self.show()
        try:
            await self._sync.start()
        except SyncoxideError as error:
            say_error(SYNC_STATUS, error, what="Syncing with your devices could not start")

    async def show(self) -> None:
        try:
            report, meetings = None, {}
            if await self._store.has_identity():
                ledger = await self._store.ledger()
                report = ledger_report(ledger, (await self._store.identity()).name)
                meetings = await self._store.meetings()
        except SyncoxideError as error:
            say_error(STATUS, error, what="This browser's devices could not be read")
            return
        element("paired-own").innerHTML = this_device_html(report)
        element("paired-name").value = await self._store.name()
        element("paired-trusted").innerHTML = trusted_html(report, meetings)
        element("paired-suggested").innerHTML = suggested_html(report)
        element("paired-revoked").innerHTML = revoked_html(report)
        element("paired-graph").innerHTML = graph_html(report)
        self._names = device_names(report) if report else {}
        if report is not None:
            element("device-sync-own-id").textContent = report["device"]["device_id"]
        element("device-sync-peer").innerHTML = sync_peer_options(report)
        await self._show_folders()

    async def _show_folders(self) -> None:
        folders = await self._store.shared_folders() if await self._store.has_identity() else {}
        element("device-sync-folders").innerHTML = shared_folders_html(
            folders, self._names, self._sync_states, self._sync.waiting_for_access
        )

    def _sync_state(self, key: str, text: str, failed: bool) -> None:
        """What the sync of a folder or with a device is doing now (device_sync.Report)."""
        if key == THIS_TAB:
            say(SYNC_STATUS, text, error=failed)
        elif self._sync_states.get(key) != (text, failed):
            self._sync_states[key] = (text, failed)
            self._listeners.start(self._show_folders())

    async def _pick(self, _event: Any) -> None:
        try:
            self._picked = await picked_folder.pick()
        except Exception:  # the user closed the picker: nothing changes
            return
        element("device-sync-picked").textContent = f"using “{self._picked.name}”"

    async def _share_folder(self, _event: Any) -> None:
        peer = str(element("device-sync-peer").value)
        name = str(element("device-sync-name").value).strip()
        browser_folder = str(element("device-sync-folder").value).strip()
        picked = self._picked
        place: dict[str, str] = {"browser_folder": browser_folder}
        try:
            if picked is not None:
                place = picked_folder.place_of(picked)
            if not peer:
                raise NotFoundError(
                    "No trusted device to sync with.", hint="Pair with a device from this browser."
                )
            if picked is None and not browser_folder:
                raise InvalidInputError(
                    "Say where the folder is kept here.",
                    hint="Give a browser folder's name, or pick a folder on this computer.",
                )
            await self._store.share_folder(name, peer, place)
            if picked is not None:
                await picked_folder.remember(name, picked)
            await self._sync.start()
        except SyncoxideError as error:
            say_error(SYNC_STATUS, error, kept="Nothing was shared.")
            return
        self._picked = None
        element("device-sync-picked").textContent = ""
        say(SYNC_STATUS, f"Syncing {name} ({place_label(place)}) with "
            f"{self._names.get(peer, peer)} while this page is open.", state="done")  # fmt: skip
        await self._show_folders()

    async def _folders_click(self, event: Any) -> None:
        """A picked folder's "Allow access": the click is the gesture the browser asks for."""
        row = event.target.closest("tr")
        if (data_of(event.target, "action") or "") != "allow" or not present(row):
            return
        name = str(row.dataset.folder)
        handle = await picked_folder.recall(name)
        if handle is None or await picked_folder.ask_access(handle) != "granted":
            refused = f"Access to the folder for {name} was refused: it is not synced here."
            say(SYNC_STATUS, f"{refused} {KEPT}", error=True)
            return
        say(SYNC_STATUS, f"Access allowed: syncing {name}.", state="done")
        await self._sync.start()
        await self._show_folders()

    async def _rename(self, _event: Any) -> None:
        try:
            await self._store.rename(str(element("paired-name").value))
        except SyncoxideError as error:
            say_error(STATUS, error, kept="The name is as it was.")
            return
        say(STATUS, "Renamed. Devices paired from now on see the new name.")
        await self.show()

    def _begin(self, work: Coroutine[Any, Any, None]) -> None:
        if self._pairing is not None and not self._pairing.done():
            work.close()
            say(STATUS, "A pairing is already under way.")
            return
        self._pairing = self._listeners.start(work)

    def _stop(self) -> None:
        if self._pairing is not None:
            self._pairing.cancel()
        show("paired-offer-box", False)
        say(STATUS, "Stopped waiting; nothing was paired or stored.")

    async def _pair(self, _event: Any) -> None:
        self._begin(self._join(str(element("paired-code").value)))

    async def _join(self, code: str) -> None:
        say(STATUS, "Looking for the other device…", state="waiting")
        if await self._paired(join_pairing(self._store, code, self._ask)):
            element("paired-code").value = ""

    async def _offer(self) -> None:
        say(STATUS, "Waiting for the other device to type the code…", state="waiting")
        await self._paired(offer_pairing(self._store, _show_code))

    async def _paired(self, pairing: Coroutine[Any, Any, PairedDevice]) -> bool:
        try:
            paired = await pairing
        except SyncoxideError as error:
            say_error(STATUS, error, kept="Nothing was paired or stored.")
            return False
        except TimeoutError:
            say(STATUS, "The other device stopped answering. Nothing was paired or stored; "
                "start again with a new code.", state="failed")  # fmt: skip
            return False
        finally:
            show("paired-confirm", False)
            show("paired-offer-box", False)
        refused = len(paired.records_refused)  # e.g. its own peers' records: not ours to take
        note = f" {refused} of its trust records were not taken." if refused else ""
        say(STATUS, f"Paired with {paired.name} ({paired.device_id}).{note}", state="done")
        await self.show()
        return True

    async def _ask(self, name: str, peer_id: str) -> bool:
        """The user's word on who is at the other end, before anything is signed."""
        element("paired-confirm-text").textContent = f"Pair with {name} ({peer_id})?"
        show("paired-confirm")
        self._answer = asyncio.get_running_loop().create_future()
        try:
            return await asyncio.wait_for(self._answer, CONFIRM_SECONDS)
        except TimeoutError:
            return False
        finally:
            show("paired-confirm", False)

    def _decide(self, yes: bool) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(yes)

    async def _trusted_click(self, event: Any) -> None:
        row = event.target.closest("tr")
        if (data_of(event.target, "action") or "") != "revoke" or not present(row):
            return
        await self._sign(str(row.dataset.device), RecordKind.REVOKE)

    async def _suggested_click(self, event: Any) -> None:
        item = event.target.closest("li")
        if (data_of(event.target, "action") or "") != "trust" or not present(item):
            return
        await self._sign(str(item.dataset.device), RecordKind.PAIR)

    async def _sign(self, device: str, kind: RecordKind) -> None:
        try:
            ledger = await self._store.ledger()
            key = _key_of(ledger, device)
            if kind is RecordKind.REVOKE:
                statement = ledger.statement(kind, key, name=ledger.name_of(key),
                                             issued_at=now(), via=None)  # fmt: skip
            else:
                statement = ledger.acceptance(key, issued_at=now())
            record = await self._store.sign_and_keep(statement)
            await self._sync.trust_changed()
        except SyncoxideError as error:
            say_error(STATUS, error, kept="Nothing was changed.")
            return
        if kind is RecordKind.REVOKE:
            say(STATUS, f"Revoked {record.name} ({device}) in this browser. {SPREAD}")
        else:
            say(STATUS, f"Now trusting {record.name} ({device}).")
        await self.show()


def _show_code(code: PairingCode) -> None:
    element("paired-offer-code").textContent = str(code)
    command = f"syncoxide devices pair {code} --server {js.location.origin}"
    element("paired-offer-command").textContent = command
    show("paired-offer-box")


def _key_of(ledger: TrustLedger, wanted: str) -> bytes:
    for edge in ledger.graph():
        for key in (edge.signer, edge.subject):
            if device_id(key) == wanted:
                return key
    raise NotFoundError(f"This browser has never heard of {wanted}.")
