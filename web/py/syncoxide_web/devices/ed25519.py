"""The ``Ed25519`` port in the browser, through WebCrypto (Chromium 137+, Firefox 129+, Safari 17+).

The core's seeds are RFC 8032 32-byte seeds, as the CLI keeps them; WebCrypto imports a seed only
as PKCS#8, which for Ed25519 is a fixed 16-byte DER prefix followed by the seed (RFC 8410). The
public key is read back from the key's JWK ``x``.
"""

from __future__ import annotations

import base64
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import PUBLIC_KEY_SIZE
from syncoxide.devices.signing import SIGNATURE_SIZE
from syncoxide.errors import ConfigError

# SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }
PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
_ALGORITHM = "Ed25519"


def _subtle() -> Any:
    subtle = getattr(getattr(js, "crypto", None), "subtle", None)
    if subtle is None:
        raise ConfigError(
            "This page cannot sign: the browser offers no WebCrypto here.",
            hint="Open the app over https or on localhost.",
        )
    return subtle


async def _private(private: SecretBytes, *, extractable: bool) -> Any:
    try:
        return await _subtle().importKey(
            "pkcs8", to_js(PKCS8_PREFIX + private.reveal()), _ALGORITHM, extractable,
            to_js(["sign"]),
        )  # fmt: skip
    except JsException as error:
        raise ConfigError(
            f"This browser cannot use Ed25519 keys ({error}).",
            hint="Use a current Chromium, Firefox or Safari; nothing was stored.",
        ) from None


class WebEd25519:
    async def public_key(self, private: SecretBytes) -> bytes:
        jwk = await _subtle().exportKey("jwk", await _private(private, extractable=True))
        x = str(jwk.x)
        return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))

    async def sign(self, private: SecretBytes, message: bytes) -> bytes:
        key = await _private(private, extractable=False)
        signature = await _subtle().sign(_ALGORITHM, key, to_js(message))
        return bytes(js.Uint8Array.new(signature).to_bytes())

    async def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        if len(public) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
            return False
        try:
            key = await _subtle().importKey(
                "raw", to_js(public), _ALGORITHM, False, to_js(["verify"])
            )
            return bool(await _subtle().verify(_ALGORITHM, key, to_js(signature), to_js(message)))
        except JsException:  # a public key that is not a curve point
            return False
