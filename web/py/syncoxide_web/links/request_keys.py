"""The owner's request-link keys in this browser: made here, kept here, sealed by a passphrase.

Each encrypted request link gets its own X25519 key pair, made in the page; only the public
half is sent to the server. The key file (``syncoxide.crypto.recipient_key``, the same JSON the
CLI writes) is kept in ``localStorage`` with the private key sealed in a vault under the
owner's passphrase (Argon2id + AES-256-GCM), so what the browser stores is useless without it.
Exporting gives that same file: ``syncoxide request pull ID DIR --key FILE`` opens it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import js
from pyodide.ffi import to_js

from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.recipient_key import (
    RequestKeyFile,
    new_request_key,
    parse_request_key,
    unlock_request_key,
)
from syncoxide.errors import NotFoundError
from syncoxide.system import SystemRandom
from syncoxide_web.platform.dom import present
from syncoxide_web.platform.webcrypto import WebCryptoBackend

STORAGE_PREFIX = "syncoxide-request-key:"
MIN_PASSPHRASE = 8


async def make_request_key(passphrase: str) -> RequestKeyFile:
    sealed_by = SecretBytes(passphrase.encode())
    file, _ = await new_request_key(WebCryptoBackend(), SystemRandom(), "", passphrase=sealed_by)
    return file


def keep_request_key(file: RequestKeyFile, link_id: str) -> None:
    js.localStorage.setItem(
        STORAGE_PREFIX + link_id, dataclasses.replace(file, link=link_id).encode()
    )


def stored_key_text(link_id: str) -> str | None:
    text = js.localStorage.getItem(STORAGE_PREFIX + link_id)
    return str(text) if present(text) else None


async def unlock_stored_key(link_id: str, passphrase: str) -> SecretBytes:
    text = stored_key_text(link_id)
    if text is None:
        raise NotFoundError(
            "This browser has no key for this request link.",
            hint="Open it where the link was made, or import its exported key file.",
        )
    passphrase_bytes = SecretBytes(passphrase.encode()) if passphrase else None
    return await unlock_request_key(WebCryptoBackend(), parse_request_key(text), passphrase_bytes)


def import_key_text(text: str, link_id: str) -> None:
    """Keep an exported key file for ``link_id`` (checked to be one before it is stored)."""
    keep_request_key(parse_request_key(text), link_id)


def export_url(link_id: str) -> Any:
    """A download URL for the key file as stored (its private half still sealed)."""
    text = stored_key_text(link_id) or ""
    options = to_js({"type": "application/json"}, dict_converter=js.Object.fromEntries)
    return js.URL.createObjectURL(js.Blob.new(to_js([text]), options))
