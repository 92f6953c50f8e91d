"""Names from strangers, made safe to store: paths from uploads, manifests and archives.

Two entry points, for two situations:

- ``strict_relative_path`` is for protocols: a peer's manifest or an API call names a path, and
  anything odd (``..``, an absolute path, a backslash, a control character) is an attack or a
  bug, so it is refused with ``RemoteProtocolError``.
- ``sanitized_relative_path`` is for people: someone drops a folder on a request page from
  Windows, macOS or Linux, and we must keep their tree while making every name storable
  everywhere. Nothing is refused; odd parts are repaired, and ``unique_path`` renames
  duplicates so an upload never overwrites another.

Both return NFC-normalized, ``/``-separated paths with no empty, ``.`` or ``..`` parts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from syncoxide.errors import RemoteProtocolError

MAX_COMPONENT_BYTES = 255  # ext4, APFS, NTFS and most object stores agree on this
MAX_DEPTH = 64
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\\]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional controls reorder what is shown: "invoice\u202efdp.exe" displays as
# "invoiceexe.pdf". No name needs them (scripts get their direction from their letters), so
# every name a stranger gives loses them: ALM, LRM/RLM, the embeddings, overrides and isolates.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)
}
_FALLBACK_NAME = "unnamed"


def strict_relative_path(raw: str) -> str:
    """``raw`` if it is a plain relative path; ``RemoteProtocolError`` otherwise."""
    if not raw or raw.startswith("/") or "\\" in raw or _CONTROL.search(raw):
        raise RemoteProtocolError(f"Refused the path {raw!r}: it must be a plain relative path.")
    parts = raw.split("/")
    if any(part in {"", ".", ".."} for part in parts) or len(parts) > MAX_DEPTH:
        raise RemoteProtocolError(f"Refused the path {raw!r}: empty, '.' or '..' parts.")
    if any(len(part.encode()) > MAX_COMPONENT_BYTES for part in parts):
        raise RemoteProtocolError(f"Refused the path {raw!r}: a name is over 255 bytes.")
    return unicodedata.normalize("NFC", raw)


def travels(path: str) -> bool:
    """Whether a peer would take ``path`` in a protocol (``strict_relative_path`` passes it): a
    sender keeps a name that fails here to itself rather than have its whole message refused."""
    try:
        strict_relative_path(path)
    except RemoteProtocolError:
        return False
    return True


def sanitized_relative_path(raw: str) -> str:
    """A storable relative path that keeps as much of ``raw``'s tree and names as possible."""
    parts = [safe_name(part) for part in re.split(r"[/\\]", raw)]
    kept = [part for part in parts if part]
    if len(kept) > MAX_DEPTH:  # keep the file's own name, fold the excess folders into one
        kept = [*kept[: MAX_DEPTH - 2], "_".join(kept[MAX_DEPTH - 2 : -1]), kept[-1]]
        kept[-2] = _fit_bytes(kept[-2], MAX_COMPONENT_BYTES)
    return "/".join(kept) or _FALLBACK_NAME


def safe_name(raw: str) -> str:
    """One path component made safe; ``""`` means "drop this part" (``.``, ``..``, empty)."""
    name = unicodedata.normalize("NFC", raw)
    name = without_bidi_controls(_CONTROL.sub("", name))
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = name.lstrip(" ").rstrip(" .")  # Windows drops trailing dots and spaces silently
    if name in {"", ".", ".."}:
        return ""
    if name.split(".")[0].upper().rstrip(" ") in _WINDOWS_RESERVED:
        name = "_" + name
    return _fit_bytes(name, MAX_COMPONENT_BYTES)


def without_bidi_controls(text: str) -> str:
    """``text`` with the bidirectional controls removed, so it shows as it reads."""
    return BIDI_CONTROLS.sub("", text)


def _fit_bytes(name: str, limit: int) -> str:
    """Shorten to ``limit`` UTF-8 bytes, keeping a short extension and whole characters."""
    if len(name.encode()) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = f".{ext}" if dot and stem and len(ext.encode()) <= 16 else ""
    base = name[: -len(suffix)] if suffix else name
    budget = limit - len(suffix.encode())
    encoded = base.encode()[:budget]
    return encoded.decode("utf-8", errors="ignore").rstrip(" .") + suffix


def unique_path(path: str, exists: Callable[[str], bool]) -> str:
    """``path``, or a free ``name (N).ext`` (``name (1).ext`` while that one is free).

    Strangers can upload thousands of files with one name, so ``N`` is found by galloping
    (1, 2, 4, 8... until one is free) and then bisecting between the last taken and the first
    free one: about ``2 log2(copies)`` calls of ``exists`` instead of one per copy. Where the
    numbers were handed out in order that is the lowest free one; with gaps it is still free."""
    if not exists(path):
        return path
    folder, slash, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""

    def numbered(counter: int) -> str:
        suffix = f" ({counter})" + (f".{ext}" if ext else "")
        return (
            f"{folder}{slash}{_fit_bytes(stem, MAX_COMPONENT_BYTES - len(suffix.encode()))}{suffix}"
        )

    taken, free = 0, 1
    while exists(numbered(free)):
        taken, free = free, free * 2
    while free - taken > 1:  # invariant: ``taken`` is 0 or taken, ``free`` is free
        middle = (taken + free) // 2
        taken, free = (middle, free) if exists(numbered(middle)) else (taken, middle)
    return numbered(free)
