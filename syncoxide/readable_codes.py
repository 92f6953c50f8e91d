"""Codes a person reads out or types: 5 bits a letter from 32 letters with no 0/O/1/I.

One alphabet for every such code, so a code the server hands out (a link's short code,
``7K3Q-9XPM``) and the secret half of a device pairing code (``7K3Q-9XPM-4F7K``) read and
parse alike, and a letter a person could mistake for another never appears in either.
"""

from __future__ import annotations

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BITS_PER_LETTER = 5


def code_letters(value: int, count: int) -> str:
    """The low ``5 * count`` bits of ``value`` as ``count`` letters, lowest bits first."""
    mask = len(CODE_ALPHABET) - 1
    return "".join(CODE_ALPHABET[(value >> (BITS_PER_LETTER * i)) & mask] for i in range(count))


def typed_letters(text: str) -> str:
    """What a person typed, as the code's letters: upper case, spaces and dashes dropped."""
    return "".join(c for c in text.upper() if c.isalnum())


def is_code_letters(letters: str) -> bool:
    return all(c in CODE_ALPHABET for c in letters)
