"""What this browser can do, asked once at start-up through the ``js`` FFI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import js


@dataclass(frozen=True)
class BrowserCheck:
    label: str
    ok: bool
    consequence: str  # what the user loses when the check fails


@dataclass(frozen=True)
class StorageEstimate:
    usage: int
    quota: int


def _has(owner: Any, name: str) -> bool:
    try:
        return getattr(owner, name, None) is not None
    except Exception:  # a throwing getter means "not usable here"
        return False


def browser_checks() -> list[BrowserCheck]:
    window = js.window
    storage = getattr(js.navigator, "storage", None)
    return [
        BrowserCheck(
            "WebCrypto",
            _has(getattr(window, "crypto", None), "subtle"),
            "encryption needs a secure context (https or localhost)",
        ),
        BrowserCheck(
            "Private file storage (OPFS)",
            storage is not None and _has(storage, "getDirectory"),
            "large receives fall back to downloads held in memory",
        ),
        BrowserCheck(
            "Folder access",
            _has(window, "showDirectoryPicker"),
            "sync with a folder on this computer needs Chrome or Edge",
        ),
        BrowserCheck(
            "Peer-to-peer (WebRTC)",
            _has(window, "RTCPeerConnection"),
            "sending goes through the server instead of straight to the other browser",
        ),
        BrowserCheck(
            "Cross-origin isolation",
            bool(getattr(window, "crossOriginIsolated", False)),
            "background workers run slower",
        ),
    ]


async def storage_estimate() -> StorageEstimate | None:
    storage = getattr(js.navigator, "storage", None)
    if storage is None or not _has(storage, "estimate"):
        return None
    estimate = await storage.estimate()
    return StorageEstimate(usage=int(estimate.usage or 0), quota=int(estimate.quota or 0))


def user_agent() -> str:
    return str(js.navigator.userAgent)
