"""Encrypting a file in the browser to someone's OpenPGP key, so plain GnuPG opens it.

OpenPGP.js (npm ``openpgp``, loaded on first use) does the OpenPGP work; the file streams from
its ``File`` through the encryptor into a writable stream, so it never sits in memory. Keys are
checked first with the same rules as ``syncoxide pgp-encrypt``: v6, revoked, expired and
signing-only keys are refused with the reason.
"""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.errors import UsageError
from syncoxide_web.platform.scripts import load_global


def _options(**values: Any) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


async def recipient_key(armored: str) -> Any:
    openpgp = await load_global("openpgp", "openpgp")
    try:
        key = await openpgp.readKey(_options(armoredKey=armored.strip()))
    except JsException as error:
        raise UsageError(
            "That is not an OpenPGP public key.",
            hint="Paste the whole block from `gpg --export --armor THEIR-EMAIL`.",
        ) from error
    who = f"The key {str(key.getKeyID().toHex())[-16:]}"
    if int(key.keyPacket.version) == 6:
        raise UsageError(
            f"{who} is an OpenPGP v6 key, which GnuPG 2.2 cannot use.",
            hint="Ask the recipient for a v4 key.",
        )
    if await key.isRevoked():
        raise UsageError(f"{who} was revoked by its owner.", hint="Ask them for their new key.")
    await _check_expiry(key, who)
    try:
        await key.getEncryptionKey()
    except JsException as error:
        raise UsageError(
            f"{who} has no subkey that can encrypt (it may be for signing only).",
            hint="Ask the recipient for a key with an encryption subkey.",
        ) from error
    return key


async def _check_expiry(key: Any, who: str) -> None:
    expiry = await key.getExpirationTime()  # a Date, Infinity (never) or null
    if expiry is None or isinstance(expiry, (int, float)):
        return
    if float(expiry.getTime()) <= float(js.Date.now()):
        day = str(expiry.toISOString())[:10]
        raise UsageError(
            f"{who} expired on {day}.", hint="Ask the recipient to extend it and send it again."
        )


async def encrypt_blob(blob: Any, key: Any, writable: Any) -> None:
    """Stream ``blob`` encrypted to ``key`` into ``writable``, which is closed at the end."""
    openpgp = await load_global("openpgp", "openpgp")
    message = await openpgp.createMessage(_options(binary=blob.stream()))
    encrypted = await openpgp.encrypt(
        _options(message=message, encryptionKeys=key, format="binary")
    )
    await encrypted.pipeTo(writable)
