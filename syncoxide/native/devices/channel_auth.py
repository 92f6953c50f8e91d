"""What both pairing and sync sessions need from an open channel: framed JSON, and the view
of the DTLS fingerprints used for the channel binding (syncoxide/devices/binding.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from syncoxide.devices.binding import ChannelView, sdp_fingerprint
from syncoxide.errors import RemoteProtocolError
from syncoxide.native.p2p.channel import ChannelLink

Message = dict[str, Any]
STEP_TIMEOUT = 30.0


def channel_view(link: ChannelLink, *, offerer: bool) -> ChannelView:
    local = sdp_fingerprint(link.connection.localDescription.sdp)
    remote = sdp_fingerprint(link.connection.remoteDescription.sdp)
    return ChannelView(local, remote) if offerer else ChannelView(remote, local)


async def send_json(link: ChannelLink, message: Message) -> None:
    await link.send(json.dumps(message).encode())


async def receive_json(link: ChannelLink, expected: str) -> Message:
    raw = await asyncio.wait_for(link.receive(), STEP_TIMEOUT)
    try:
        message = json.loads(raw)
    except ValueError:
        raise RemoteProtocolError("The other device sent something that is not JSON.") from None
    if not isinstance(message, dict) or message.get("type") != expected:
        kind = message.get("type") if isinstance(message, dict) else type(message).__name__
        if kind == "declined":
            raise RemoteProtocolError("The other device declined.")
        raise RemoteProtocolError(f"Expected {expected!r} from the other device, got {kind!r}.")
    return message
