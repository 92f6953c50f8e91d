"""The owner's request-link key file: the X25519 private key that opens sealed uploads.

Made on the owner's device (CLI or app); only ``public_key`` ever goes to the server. One JSON
text, the same from the CLI and the app, so a key exported from the browser works with
``syncoxide request pull --key``::

    {"syncoxide": "request-key", "version": 1, "link": "<request link id>",
     "public_key": "<base64, 32 bytes>",
     "private_key": "<base64, 32 bytes>"}          unprotected: kept in a 0600 file
     or "vault": "<base64, 100 bytes>"}             passphrase-protected: a SYNCOXV vault
                                                    (``vault.py``) whose master key *is*
                                                    the X25519 private key
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass

from syncoxide.crypto.backend import Argon2Params, RecipientBackend
from syncoxide.crypto.keys import KEY_SIZE, SecretBytes
from syncoxide.crypto.vault import create_vault, parse_vault, unlock_vault
from syncoxide.errors import FormatError, TamperedDataError, WrongPasswordError
from syncoxide.ports import RandomSource

KIND = "request-key"
VERSION_1 = 1


@dataclass(frozen=True)
class RequestKeyFile:
    link: str
    public_key: bytes
    private_key: bytes | None  # None when protected by a passphrase
    vault: bytes | None

    def encode(self) -> str:
        body = {
            "syncoxide": KIND,
            "version": VERSION_1,
            "link": self.link,
            "public_key": _b64(self.public_key),
        }
        if self.vault is not None:
            body["vault"] = _b64(self.vault)
        elif self.private_key is not None:
            body["private_key"] = _b64(self.private_key)
        return json.dumps(body, indent=1) + "\n"

    @property
    def protected(self) -> bool:
        return self.vault is not None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


async def new_request_key(
    backend: RecipientBackend,
    random: RandomSource,
    link: str,
    *,
    passphrase: SecretBytes | None = None,
    params: Argon2Params | None = None,
) -> tuple[RequestKeyFile, SecretBytes]:
    """A fresh key pair; with a passphrase the private half is stored only inside a vault."""
    if passphrase is None:
        private = SecretBytes(random.token_bytes(KEY_SIZE))
        public = await backend.x25519_public(private)
        return RequestKeyFile(link, public, private.reveal(), None), private
    record, private = await create_vault(backend, passphrase, random, params)
    public = await backend.x25519_public(private)
    return RequestKeyFile(link, public, None, record.encode()), private


def parse_request_key(text: str) -> RequestKeyFile:
    try:
        body = json.loads(text)
        if body.get("syncoxide") != KIND or body.get("version") != VERSION_1:
            raise ValueError("not a request key")
        public = base64.b64decode(body["public_key"], validate=True)
        private = body.get("private_key")
        vault = body.get("vault")
        file = RequestKeyFile(
            str(body.get("link", "")),
            public,
            base64.b64decode(private, validate=True) if private else None,
            base64.b64decode(vault, validate=True) if vault else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise FormatError(
            "This is not a syncoxide request key file.",
            hint="Pick the key saved when the request link was made; nothing was decrypted.",
        ) from None
    if len(public) != KEY_SIZE or (file.private_key is None and file.vault is None):
        raise FormatError("The request key file is incomplete.", hint="Nothing was decrypted.")
    return file


async def unlock_request_key(
    backend: RecipientBackend, file: RequestKeyFile, passphrase: SecretBytes | None
) -> SecretBytes:
    """The private key; WrongPasswordError for a wrong (or missing) passphrase."""
    if file.vault is not None:
        if passphrase is None:
            raise WrongPasswordError(
                "This request key is protected by a passphrase.",
                hint="Give it with --passphrase-file or SYNCOXIDE_PASSWORD; nothing was written.",
            )
        private = await unlock_vault(backend, parse_vault(file.vault), passphrase)
    else:
        private = SecretBytes(file.private_key or b"")
    if len(private) != KEY_SIZE or not hmac.compare_digest(
        await backend.x25519_public(private), file.public_key
    ):
        raise TamperedDataError(
            "The request key file's two halves do not match: it was altered.",
            hint="Use an intact copy of the key; nothing was decrypted.",
        )
    return private
