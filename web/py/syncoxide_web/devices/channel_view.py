"""The DTLS fingerprints a browser channel binding signs (``syncoxide/devices/binding.py``):
this page's own, from its local description, and the other device's, from the certificate it
really used. Pairing and sync sessions both sign them."""

from __future__ import annotations

import hashlib

import js

from syncoxide.devices.binding import ChannelView, sdp_fingerprint
from syncoxide.errors import RemoteProtocolError
from syncoxide_web.p2p.channel import BrowserChannel


def channel_view(link: BrowserChannel, *, offerer: bool) -> ChannelView:
    """Both fingerprints in the order both ends agree on (``offerer`` is this side's part)."""
    own, theirs = own_fingerprint(link), peer_certificate_fingerprint(link)
    return ChannelView(own, theirs) if offerer else ChannelView(theirs, own)


def own_fingerprint(link: BrowserChannel) -> bytes:
    return sdp_fingerprint(str(link.connection.localDescription.sdp))


def peer_certificate_fingerprint(link: BrowserChannel) -> bytes:
    """SHA-256 of the certificate the other end really used in the DTLS handshake.

    Not read from the remote SDP: Chromium keeps one of the several fingerprints aiortc offers
    (sha-256, -384, -512) and checks the certificate against that one only, so the sha-256 line
    of the offer is not what this browser checked. The certificate itself is.
    """
    certificates = link.connection.sctp.transport.getRemoteCertificates()
    if not certificates.length:
        raise RemoteProtocolError("The other device showed no DTLS certificate.")
    der = bytes(js.Uint8Array.new(certificates[0]).to_bytes())
    return hashlib.sha256(der).digest()
