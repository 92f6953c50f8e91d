"""Pairing this browser with another device by the code it shows: the joining side of
``syncoxide/native/devices/pairing.py``, over the browser's own WebRTC stack.

Same steps and bytes as the CLI: resolve the code's room, answer the other device's offer, run
SPAKE2 (PyPI ``spake2``, pure Python, loaded on first use) on the code's secret, trade hellos
bound to the DTLS fingerprints both SDPs name, ask the user, sign a PAIR, trade every record,
and keep the meeting room the other device makes. Nothing is stored before the user agrees.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import importlib.util
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import js

from syncoxide.devices.device_id import device_id
from syncoxide.devices.pairing import (
    ANSWERER,
    OFFERER,
    Hello,
    PairingCode,
    check_hello,
    make_hello,
    pake_identity,
)
from syncoxide.devices.records import RecordKind
from syncoxide.errors import (
    AuthenticationError,
    CancelledByUserError,
    NotFoundError,
    RecordRefusedError,
    RemoteProtocolError,
    TransportError,
)
from syncoxide_web.devices import hkdf_standin
from syncoxide_web.devices.channel_view import channel_view
from syncoxide_web.devices.store import BrowserDeviceStore, now
from syncoxide_web.p2p.channel import BrowserChannel, BrowserSignaling, negotiate

STEP_TIMEOUT = 30.0
#: How long to wait for the other device's offer once in its room.
OFFER_WAIT = 60.0
#: How long a code this browser shows waits, when the server does not say when it expires.
CODE_WAIT = 600.0

Confirm = Callable[[str, str], Awaitable[bool]]  # (name, device id) -> go ahead?


@dataclass(frozen=True)
class PairedDevice:
    public: bytes
    name: str
    records_taken: int
    records_refused: list[RecordRefusedError]

    @property
    def device_id(self) -> str:
        return device_id(self.public)


async def join_pairing(store: BrowserDeviceStore, code_text: str, confirm: Confirm) -> PairedDevice:
    """Pair with the device that shows ``code_text``; ``confirm`` asks the user who it is."""
    code = PairingCode.parse(code_text)  # a malformed code stops here, before any request
    server = str(js.location.origin)
    room = {**await _resolve(server, code.room_code), "server": server}
    return await _in_room(store, room, code, confirm=confirm)


async def offer_pairing(
    store: BrowserDeviceStore, show_code: Callable[[PairingCode], None]
) -> PairedDevice:
    """Make a code for the other device to type (``syncoxide devices pair CODE``) and wait for
    it. Showing the code is this side's agreement, as on the CLI."""
    server = str(js.location.origin)
    room = {**await _create_room(server), "server": server}
    code = PairingCode.new(room["code"], os.urandom(8))
    show_code(code)
    return await _in_room(store, room, code, confirm=None)


async def _in_room(
    store: BrowserDeviceStore, room: dict[str, str], code: PairingCode, *, confirm: Confirm | None
) -> PairedDevice:
    offerer = confirm is None  # the code's maker is the room's sender, and offers
    role = "sender" if offerer else "receiver"
    signal = await BrowserSignaling.join(room["server"], room["room"], room["token"], role)
    try:
        wait = float(room.get("expires_in") or CODE_WAIT) if offerer else OFFER_WAIT
        link = await negotiate(signal, offer_now=False, wait=wait, whole=True)
        try:
            return await _pair(store, link, room, code, confirm=confirm)
        finally:
            link.close()
    finally:
        signal.close()


async def _create_room(server: str) -> dict[str, str]:
    response = await js.fetch(f"{server}/signal/rooms", js.Object.fromEntries([["method", "POST"]]))
    if not response.ok:
        raise TransportError(f"The server could not open a pairing room ({response.status}).")
    body: dict[str, str] = json.loads(await response.text())
    return body


async def _resolve(server: str, room_code: str) -> dict[str, str]:
    response = await js.fetch(f"{server}/signal/codes/{quote(room_code)}")
    if response.status == 404:
        raise NotFoundError(
            f"No device is waiting under the code {room_code}-….",
            hint="Codes last a few minutes: run `syncoxide devices pair --server URL` again "
            "and type the new code.",
        )
    if not response.ok:
        raise TransportError(f"The server could not look the code up ({response.status}).")
    body: dict[str, str] = json.loads(await response.text())
    return body


async def _pair(
    store: BrowserDeviceStore, link: BrowserChannel, room: dict[str, str], code: PairingCode, *,
    confirm: Confirm | None,
) -> PairedDevice:  # fmt: skip
    offerer = confirm is None
    me = await store.identity()
    key = await _pake(link, room["room"], code)
    view = channel_view(link, offerer=offerer)
    mine, their_role = (OFFERER, ANSWERER) if offerer else (ANSWERER, OFFERER)
    hello = await make_hello(
        me.private, me.public, me.name, pake_key=key, view=view, role=mine,
        ed25519=store.ed25519,
    )  # fmt: skip
    await link.send(hello.encode())
    peer = Hello.decode(await asyncio.wait_for(link.receive(), STEP_TIMEOUT))
    await check_hello(peer, pake_key=key, view=view, role=their_role, ed25519=store.ed25519)
    if peer.public == me.public:
        raise RemoteProtocolError("Both ends are this same device: pair two different devices.")
    await _agree(link, peer, confirm)
    paired = await _trade_records(store, link, peer)
    await store.remember_meeting(paired.device_id, await _agree_meeting(link, room, offerer))
    return paired


async def _agree(link: BrowserChannel, peer: Hello, confirm: Confirm | None) -> None:
    if confirm is None:  # the code's maker: wait for the joiner's answer
        await _receive(link, "accepted")
        return
    if not await confirm(peer.name, device_id(peer.public)):
        await _send(link, {"type": "declined"})
        raise CancelledByUserError("Pairing declined; nothing was changed.")
    await _send(link, {"type": "accepted"})


async def _agree_meeting(
    link: BrowserChannel, room: dict[str, str], offerer: bool
) -> dict[str, str]:
    """A room of the pair's own, for their sync sessions: the code's maker makes it."""
    if offerer:
        meeting = await _create_room(room["server"])
        await _send(link, {"type": "meeting", "room": meeting["room"], "token": meeting["token"]})
    else:
        meeting = await _receive(link, "meeting")
    return {"server": room["server"], "room": str(meeting["room"]), "token": str(meeting["token"])}


async def _pake(link: BrowserChannel, room: str, code: PairingCode) -> bytes:
    hkdf_standin.install()
    if importlib.util.find_spec("spake2") is None:  # not loaded in this page yet
        import pyodide_js

        await pyodide_js.loadPackage("spake2")
    from spake2 import SPAKE2_Symmetric  # type: ignore[import-untyped,unused-ignore]
    from spake2.spake2 import SPAKEError  # type: ignore[import-untyped,unused-ignore]

    pake = SPAKE2_Symmetric(code.secret.encode(), idSymmetric=pake_identity(room))
    await _send(link, {"type": "pake", "message": base64.b64encode(pake.start()).decode()})
    answer = await _receive(link, "pake")
    try:
        key: bytes = pake.finish(base64.b64decode(str(answer.get("message")), validate=True))
    except (SPAKEError, ValueError, binascii.Error):
        raise AuthenticationError("The other device's key exchange was malformed.") from None
    return key


async def _trade_records(
    store: BrowserDeviceStore, link: BrowserChannel, peer: Hello
) -> PairedDevice:
    ledger = await store.ledger()
    statement = ledger.statement(
        RecordKind.PAIR, peer.public, name=peer.name, issued_at=now(), via=None
    )
    await store.sign_and_keep(statement)
    ours = [base64.b64encode(r.to_bytes()).decode() for r in (await store.ledger()).records()]
    await _send(link, {"type": "records", "records": ours})
    answer = await _receive(link, "records")
    raws = [base64.b64decode(str(raw)) for raw in answer.get("records", [])]
    taken, refused = await store.take(raws)
    return PairedDevice(peer.public, peer.name, taken, refused)


async def _send(link: BrowserChannel, message: dict[str, Any]) -> None:
    await link.send(json.dumps(message).encode())


async def _receive(link: BrowserChannel, expected: str) -> dict[str, Any]:
    raw = await asyncio.wait_for(link.receive(), STEP_TIMEOUT)
    try:
        message = json.loads(raw)
    except ValueError:
        raise RemoteProtocolError("The other device sent something that is not JSON.") from None
    kind = message.get("type") if isinstance(message, dict) else type(message).__name__
    if kind != expected:
        raise RemoteProtocolError(f"Expected {expected!r} from the other device, got {kind!r}.")
    return dict(message)
