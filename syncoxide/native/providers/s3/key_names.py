"""How a path's characters are spelled in an S3 key: control characters as pictures.

S3 keys may hold any Unicode, but control characters do not travel well: a newline in a key
makes some S3 servers' URL routing miss the object (moto answers 404 to the PUT and to every
HEAD after it), and XML 1.0 cannot carry most of them in a reply. So a key spells each control
character as its Unicode control picture, the same mapping rclone's encoder uses::

    path char                       key spelling
    U+0000..U+001F (NUL..US)        U+2400..U+241F   e.g. "\\n" (0A) -> "\u240a"
    U+007F (DEL)                    U+2421
    a literal picture or U+201B     U+201B + that char (quoted, so decoding is exact)

A literal U+201B (the quote mark) is quoted only when the character after it would otherwise
be read as quoted, so names that merely contain the mark keep their key. ``decode`` reverses
``encode`` for every string. A key written by another tool with a raw control character is
listed as it is, but cannot be addressed through this provider: rename it with that tool.
"""

from __future__ import annotations

import re

QUOTE = "\u201b"
_PICTURE_BASE = 0x2400
_DEL_PICTURE = "\u2421"
#: Characters that the key spelling changes: controls, DEL, pictures and the quote mark.
_SPECIAL = re.compile("[\x00-\x1f\x7f\u2400-\u241f\u2421\u201b]")
_PICTURES = frozenset(chr(code) for code in range(_PICTURE_BASE, _PICTURE_BASE + 32)) | {
    _DEL_PICTURE
}
_QUOTABLE = _PICTURES | {QUOTE}


def _is_control(char: str) -> bool:
    return char < " " or char == "\x7f"


def _spell(char: str) -> str:
    if char == "\x7f":
        return _DEL_PICTURE
    return chr(_PICTURE_BASE + ord(char))


def encode(path: str) -> str:
    """The key spelling of ``path`` (unchanged when it holds none of the special characters)."""
    if _SPECIAL.search(path) is None:
        return path
    out: list[str] = []
    for index, char in enumerate(path):
        if _is_control(char):
            out.append(_spell(char))
        elif char in _PICTURES:
            out.append(QUOTE + char)
        elif char == QUOTE and _next_reads_quoted(path, index + 1):
            out.append(QUOTE + QUOTE)
        else:
            out.append(char)
    return "".join(out)


def _next_reads_quoted(path: str, at: int) -> bool:
    """True when the spelling of ``path[at]`` starts with a character a quote would capture."""
    if at >= len(path):
        return False
    char = path[at]
    return _is_control(char) or char in _QUOTABLE


def decode(key: str) -> str:
    """The path a key spells; the inverse of ``encode``."""
    if _SPECIAL.search(key) is None:
        return key
    out: list[str] = []
    index = 0
    while index < len(key):
        char = key[index]
        following = key[index + 1] if index + 1 < len(key) else ""
        if char == QUOTE and following in _QUOTABLE and following:
            out.append(following)
            index += 2
            continue
        if char in _PICTURES:
            out.append("\x7f" if char == _DEL_PICTURE else chr(ord(char) - _PICTURE_BASE))
        else:
            out.append(char)
        index += 1
    return "".join(out)
