"""Paths named by API callers, checked with the core's rules for names from strangers."""

from __future__ import annotations

from syncoxide.errors import RemoteProtocolError, UsageError
from syncoxide.safe_names import BIDI_CONTROLS, strict_relative_path

MAX_PATH_CHARACTERS = 4096


def checked_path(raw: str, *, root_ok: bool = False) -> str:
    """``raw`` when it is a plain relative path (``""`` too when ``root_ok``); else a
    ``UsageError`` saying why: no ``..``, no leading ``/``, no control characters, sane length.

    The path is kept as given (not re-normalized), so a name is listed exactly as written."""
    if raw == "" and root_ok:
        return raw
    if len(raw) > MAX_PATH_CHARACTERS:
        raise UsageError(f"A path is at most {MAX_PATH_CHARACTERS} characters.")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("A path must be valid Unicode text (it held a lone surrogate).") from None
    if BIDI_CONTROLS.search(raw):
        raise UsageError(
            "A name may not hold bidirectional control characters (such as U+202E): they make"
            " it show as something else ('invoice\u202efdp.exe' shows as 'invoiceexe.pdf').",
            hint="Rename the file without them.",
        )
    try:
        strict_relative_path(raw)
    except RemoteProtocolError as error:
        raise UsageError(
            str(error), hint="Name files with relative paths like 'photos/2024/a.jpg'."
        ) from None
    return raw


def is_under(path: str, folder: str) -> bool:
    """``path`` is ``folder`` itself or inside it; every path is under the top (``""``).
    Slashes at either end do not count (``"a/"`` is ``"a"``)."""
    path, folder = path.strip("/"), folder.strip("/")
    return not folder or path == folder or path.startswith(folder + "/")
