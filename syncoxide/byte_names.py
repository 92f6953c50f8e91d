"""File names that are not valid UTF-8: kept exactly, written safely, shown readably.

A POSIX file name is bytes. Python decodes it with ``surrogateescape``: every byte that is not
part of valid UTF-8 becomes one lone surrogate, U+DC80 + (byte - 0x80), so the ``str`` maps back
to the very same bytes. Such a ``str`` cannot be encoded as strict UTF-8, which is what every
writer of text does by default (journal, pair state, ``--json``, a terminal), so those go
through this module. One name must never stop a pair.

Three forms of the same name::

    on disk (bytes)    62 61 64 5f 81 2e 74 78 74            b"bad_\\x81.txt"
    in memory (str)    'b' 'a' 'd' '_' U+DC81 '.' 't' 'x' 't'
    in JSON text       "bad_\\udc81.txt"     (an escape; the file stays valid UTF-8 and
                                             json.loads gives back the same str)
    shown to people    bad_<U+201B>81.txt    (the mark U+201B, then two upper-case hex digits:
                                             the form rclone shows; for reading, not reversible)

Providers whose names must be Unicode (S3 keys, WebDAV, Drive, Dropbox) cannot store the
surrogate form; ``needs_bytes`` tells the engine which names to leave out there (reported as
unmapped, never fatal).
"""

from __future__ import annotations

import json
import re
from typing import Any

#: The lone surrogates ``surrogateescape`` produces, one per byte 0x80..0xFF.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
#: Any lone surrogate: the ones JSON text cannot carry raw.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: The mark rclone puts before an undecodable byte when it shows a name.
QUOTE_MARK = "\u201b"


def needs_bytes(name: str) -> bool:
    """True when ``name`` holds a byte that is not UTF-8 (it exists only as POSIX bytes)."""
    return not name.isascii() and _ESCAPED_BYTE.search(name) is not None


def to_bytes(name: str) -> bytes:
    """The name's bytes on a POSIX file system."""
    return name.encode("utf-8", "surrogateescape")


def from_bytes(raw: bytes) -> str:
    """The ``str`` for a POSIX name's bytes; ``to_bytes`` gives the same bytes back."""
    return raw.decode("utf-8", "surrogateescape")


def display(name: str) -> str:
    """The name for people, safe to print anywhere: each undecodable byte as U+201B + hex."""
    if name.isascii():
        return name
    shown = _ESCAPED_BYTE.sub(lambda m: f"{QUOTE_MARK}{ord(m.group()) - 0xDC00:02X}", name)
    return _LONE_SURROGATE.sub(lambda m: f"{QUOTE_MARK}u{ord(m.group()):04X}", shown)


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON with non-ASCII kept readable and lone surrogates written as ``\\uXXXX`` escapes.

    ``json.dumps(..., ensure_ascii=False)`` leaves lone surrogates raw, and those cannot be
    encoded; escaping only them keeps the text valid UTF-8 and ``json.loads`` reverses it."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(value, ensure_ascii=False, separators=separators, indent=indent)
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_bytes(value: Any) -> bytes:
    """``json_text`` as UTF-8 bytes, for journals and state files."""
    return json_text(value).encode()


def text_bytes(text: str) -> bytes:
    """Free text (an error naming a file) as UTF-8, undecodable bytes shown as ``display`` does."""
    return display(text).encode()
