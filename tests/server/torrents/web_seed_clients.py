"""Torrent clients fetching from our web seed alone, shared by the tests and the bench."""

from __future__ import annotations

import time
from pathlib import Path


def libtorrent_download(torrent: bytes, out: Path, *, seconds: float = 60) -> None:
    """libtorrent (its Python wheel), alone: no DHT, LSD, UPnP, NAT-PMP or peers; the web seed
    is the only source. Fails on a torrent error or after ``seconds`` without finishing."""
    import libtorrent as lt  # a wheel the callers check for first

    session = lt.session(
        {
            "listen_interfaces": "127.0.0.1:0",
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
        }
    )
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)  # the .torrent file's bytes
    params.save_path = str(out)
    handle = session.add_torrent(params)
    deadline = time.monotonic() + seconds
    try:
        while not (status := handle.status()).is_seeding:
            assert not status.errc.value(), status.errc.message()
            assert time.monotonic() < deadline, f"stuck at {status.progress:.0%}"
            time.sleep(0.02)
    finally:
        session.remove_torrent(handle)
