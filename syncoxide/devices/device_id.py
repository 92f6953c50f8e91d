"""Device IDs: a short, checkable fingerprint of a device's Ed25519 public key.

A person reads a device ID off one screen and compares or types it on another, so it is short,
case-insensitive, grouped, and each group carries a check character that catches any single
mistyped character and every swap of two neighbours but one (the values 0 and 31, "A" and "7",
Luhn's own blind spot): Luhn mod 32, as Syncthing's IDs do::

    digest = SHA-256("syncoxide/v1/device-id" || public key (32 bytes))
    body   = base32(digest[0:15])              24 characters, RFC 4648 alphabet A-Z 2-7
           = G1 G2 G3 G4                       four groups of 6 characters
    ID     = G1 c1 "-" G2 c2 "-" G3 c3 "-" G4 c4      31 characters
             ci = luhn32(Gi): the Luhn mod 32 check character of group i

    offset  0         7 8        15 16       23 24       31
            | G1 (6) |c1|-| G2 (6) |c2|-| G3 (6) |c3|-| G4 (6) |c4|

120 bits of SHA-256 make finding a second key with the same ID cost about 2^120 hashes. The
label in the hash is the format's version: a future ID format hashes under another label and
cannot be confused with this one. Known-answer vectors: tests/vectors/devices/device_id_v1.json.
"""

from __future__ import annotations

import base64
import hashlib

from syncoxide.errors import InvalidInputError

PUBLIC_KEY_SIZE = 32
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_LABEL = b"syncoxide/v1/device-id"
_DIGEST_BYTES = 15
_GROUP = 6
_GROUPS = 4
ID_LENGTH = _GROUPS * (_GROUP + 1) + _GROUPS - 1


def luhn32(group: str) -> str:
    """The Luhn mod N check character of ``group`` (N = 32, the base32 alphabet)."""
    factor, total = 2, 0
    for char in reversed(group):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def device_id(public_key: bytes) -> str:
    """The device ID of an Ed25519 public key (32 raw bytes)."""
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise InvalidInputError(f"A device public key is 32 bytes, not {len(public_key)}.")
    digest = hashlib.sha256(_LABEL + public_key).digest()[:_DIGEST_BYTES]
    body = base64.b32encode(digest).decode()
    groups = [body[i : i + _GROUP] for i in range(0, len(body), _GROUP)]
    return "-".join(group + luhn32(group) for group in groups)


def normalise_device_id(text: str) -> str:
    """Accept what people type (lower case, spaces, dashes anywhere) and check every group.

    Raises InvalidInputError naming the group that does not check, so a typo is found at once.
    """
    letters = "".join(c for c in text.upper() if c not in " -")
    if len(letters) != _GROUPS * (_GROUP + 1) or any(c not in ALPHABET for c in letters):
        raise InvalidInputError(
            f"{text!r} is not a device ID.",
            hint="A device ID has 28 letters and digits 2-7 in four groups, as "
            "`syncoxide devices id` prints it.",
        )
    groups = [letters[i : i + _GROUP + 1] for i in range(0, len(letters), _GROUP + 1)]
    for number, group in enumerate(groups, start=1):
        if luhn32(group[:_GROUP]) != group[_GROUP]:
            raise InvalidInputError(
                f"Group {number} of the device ID {text!r} does not check: a character is wrong.",
                hint="Copy the ID again from `syncoxide devices id` on the other device.",
            )
    return "-".join(groups)
