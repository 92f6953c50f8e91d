"""End-to-end encrypted share links: the link's key, its URL fragment, and encrypted paths.

A share gets a fresh random 32-byte *share key* that plays the master key's part of
``docs/crypto.md``: each file is in the file format v1 with its own file key wrapped by the
share key, and each path component is encrypted with the names scheme under
``names_key(share key)`` (bound to its plaintext parent folder). The key travels only in the
URL fragment, which browsers never send to a server::

    https://host/s/<id>#k=<base64url(share key), no padding>

So the server stores ciphertext files and names like ``4pn6.../drza...``; it still sees the
number of files, the folder shape, and each file's size (plaintext = ciphertext minus 16 bytes
per 64 KiB chunk and the 116-byte header).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from syncoxide.crypto.backend import CryptoBackend
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes, names_key
from syncoxide.crypto.names import NameCipher
from syncoxide.errors import MalformedDataError, UsageError
from syncoxide.ports import RandomSource
from syncoxide.safe_names import MAX_COMPONENT_BYTES

FRAGMENT_FIELD = "k"
# Encrypted names are never shortened into "sxl." + sidecar here: a share has no sidecars.
_NO_SHORTENING = 1 << 20
# A component of ``n`` bytes encrypts to ceil((16 + n) * 8 / 5) base32 characters, and the
# server keeps at most 255 bytes per component: 143 bytes is the longest name that fits.
MAX_NAME_BYTES = (MAX_COMPONENT_BYTES * 5) // 8 - 16


def new_share_key(random: RandomSource) -> SecretBytes:
    return SecretBytes(random.token_bytes(KEY_SIZE))


def key_fragment(key: SecretBytes) -> str:
    """The URL fragment (without ``#``) that carries ``key``."""
    encoded = base64.urlsafe_b64encode(key.reveal()).decode("ascii").rstrip("=")
    return f"{FRAGMENT_FIELD}={encoded}"


def key_from_fragment(fragment: str) -> SecretBytes:
    """The share key in a link's fragment (``k=...``, with or without the leading ``#``)."""
    fields = dict(part.split("=", 1) for part in fragment.lstrip("#").split("&") if "=" in part)
    encoded = fields.get(FRAGMENT_FIELD, "")
    if not encoded:
        raise UsageError(
            "This link has no key: the part after '#k=' is missing.",
            hint="Copy the whole link, including everything after '#'.",
        )
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_SIZE:
        raise MalformedDataError(
            "The key in this link is damaged.",
            hint="Copy the whole link again, including everything after '#'.",
        )
    return SecretBytes(raw)


def path_cipher(backend: CryptoBackend, key: SecretBytes) -> NameCipher:
    return NameCipher(backend, names_key(key), _NO_SHORTENING)


def check_shareable_path(path: str) -> None:
    """Refuse, before anything is uploaded, a name too long to store encrypted."""
    for part in path.split("/"):
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise UsageError(
                f"The name {part[:40]!r}... is too long for an encrypted share "
                f"(at most {MAX_NAME_BYTES} bytes).",
                hint="Rename it, or share without --encrypt. Nothing was uploaded.",
            )


def check_shareable_paths(paths: Sequence[str]) -> None:
    """Refuse, before the share exists, paths that could not be stored encrypted."""
    seen: set[str] = set()
    for path in paths:
        check_shareable_path(path)
        if path in seen:  # the server would rename the copy, and its name would not decrypt
            raise UsageError(
                f"Two files would both be shared as {path!r}.",
                hint="Share them from differently named folders. Nothing was uploaded.",
            )
        seen.add(path)


async def encrypt_path(cipher: NameCipher, path: str) -> str:
    """Each component of ``a/b/c`` encrypted in its plaintext parent folder."""
    check_shareable_path(path)
    parts = path.split("/")
    stored = []
    for depth, part in enumerate(parts):
        stored.append((await cipher.encrypt("/".join(parts[:depth]), part)).stored)
    return "/".join(stored)


async def decrypt_path(cipher: NameCipher, stored: str) -> str:
    """The plaintext path; ``TamperedDataError`` when the key is wrong or a name was altered."""
    plain: list[str] = []
    for part in stored.split("/"):
        plain.append(await cipher.decrypt("/".join(plain), part))
    return "/".join(plain)
