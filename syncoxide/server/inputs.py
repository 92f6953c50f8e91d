"""The one place request input is checked: numbers, secrets, text and ids, before any use.

Every handler, header parser and WebSocket message reads untrusted text through these, so a
malformed value is a ``InvalidInputError`` (answered 400 by the API, 404 for an id nothing could
have) instead of an exception deep inside. Each rule below exists because its absence crashed a
handler:

- ``str.isdigit()`` is true for "²", "٣" and other Unicode digits that ``int()`` then refuses or
  reads differently; numbers here are ASCII digits only, at most 19 of them.
- ``secrets.compare_digest`` raises on non-ASCII ``str``; secrets are compared as UTF-8 bytes.
- JSON may carry a lone surrogate (``"\\ud800"``) that no encoder can write to SQLite, a log or a
  file name, and a query a NUL (``%00``) that PostgreSQL refuses in text; the API's router
  refuses both in every query, path value and JSON body (``unstorable``).
- SQLite integers are 64-bit signed: a larger id cannot name a row, so it is "not found".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from syncoxide.errors import InvalidInputError

SQLITE_MAX_INT = 2**63 - 1
_DECIMAL = re.compile(r"-?[0-9]{1,19}")
# What no database here stores as text: SQLite's encoders refuse lone surrogates and
# PostgreSQL refuses NUL (found when the API fuzz ran on PostgreSQL: a NUL in a listing's
# cursor answered 500).
_UNSTORABLE = re.compile(r"[\ud800-\udfff\x00]")


def is_decimal(raw: str | None) -> bool:
    """Whether ``raw`` is an ASCII decimal integer of at most 19 digits (a leading '-' allowed)."""
    return raw is not None and _DECIMAL.fullmatch(raw) is not None


def whole_number(raw: str | None, what: str, *, low: int, high: int) -> int:
    """``raw`` as an integer in [low, high], or an ``InvalidInputError`` that says so."""
    if raw is None or not is_decimal(raw) or not low <= int(raw) <= high:
        raise InvalidInputError(f"{what} must be a whole number from {low} to {high}.")
    return int(raw)


def optional_number(
    params: Mapping[str, str], name: str, default: int, *, low: int, high: int
) -> int:
    """A query parameter as a whole number, ``default`` when absent."""
    raw = params.get(name)
    return default if raw is None else whole_number(raw, f"'{name}'", low=low, high=high)


def same_secret(supplied: str | None, expected: str | None) -> bool:
    """Constant-time equality of two secrets; any text (non-ASCII, surrogates) is just unequal."""
    if not supplied or not expected:
        return False
    return secrets.compare_digest(
        supplied.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def unstorable(text: str) -> str | None:
    """What in ``text`` no database stores as text, said for a message; None if nothing."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (\\u0000)"
    return "an unpaired UTF-16 surrogate (like \\ud800)"


def unwritable_text(value: Any, where: str = "body") -> str | None:
    """Where in a decoded JSON value a string (or key) holds text no database stores (a lone
    surrogate or a NUL), or None."""
    if isinstance(value, str):
        return where if unstorable(value) else None
    if isinstance(value, list):
        found = (unwritable_text(item, f"{where}[{i}]") for i, item in enumerate(value))
        return next((f for f in found if f), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if unstorable(key):
                return where
            found_in = unwritable_text(item, f"{where}.{key}")
            if found_in:
                return found_in
    return None


def is_storable_id(value: int) -> bool:
    """Whether an integer id could name a row (SQLite integers are 64-bit signed)."""
    return -SQLITE_MAX_INT - 1 <= value <= SQLITE_MAX_INT
