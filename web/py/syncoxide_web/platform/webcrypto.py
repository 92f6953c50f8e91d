"""The browser's crypto backend: WebCrypto (``crypto.subtle``) through the ``js`` FFI.

Implements ``syncoxide.crypto.backend.CryptoBackend``, so the core's formats run unchanged in
the page. AES-GCM and AES-CTR keys are imported once as non-extractable ``CryptoKey`` objects.
Argon2id is not in WebCrypto: it comes from npm ``hash-wasm`` (same bytes as argon2-cffi). It is
loaded on first use (``syncoxide_web.platform.scripts``), so pages that never open a vault never
download it; it then lives as the global ``hashwasm``.

Bytes cross the FFI as copies (``to_js`` ~0.7 ms/MiB, ``to_bytes`` ~0.1 ms/MiB): about 5 % of
a 64 KiB chunk's cost in Chromium.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import js
from pyodide.ffi import (
    JsException,
    to_js,
)

from syncoxide.crypto.backend import AesCtrKey, AesGcmKey, Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import ConfigError
from syncoxide_web.platform.scripts import load_global


def _params(**fields: Any) -> Any:
    return to_js(fields, dict_converter=js.Object.fromEntries)


def _subtle() -> Any:
    subtle = getattr(getattr(js, "crypto", None), "subtle", None)
    if subtle is None:
        raise ConfigError(
            "This page cannot encrypt: the browser offers no WebCrypto here.",
            hint="Open the app over https or on localhost; nothing was encrypted.",
        )
    return subtle


async def _import(key: SecretBytes, algorithm: str, usages: list[str]) -> Any:
    return await _subtle().importKey(
        "raw", to_js(key.reveal()), _params(name=algorithm), False, to_js(usages)
    )


class _WebGcmKey:
    __slots__ = ("_key",)

    def __init__(self, key: Any) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "<WebCrypto AES-256-GCM key, redacted>"

    def _algorithm(self, nonce: bytes, aad: bytes) -> Any:
        return _params(name="AES-GCM", iv=to_js(nonce), additionalData=to_js(aad), tagLength=128)

    async def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        sealed = await _subtle().encrypt(self._algorithm(nonce, aad), self._key, to_js(plaintext))
        return bytes(sealed.to_bytes())

    async def open(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes | None:
        try:
            plain = await _subtle().decrypt(self._algorithm(nonce, aad), self._key, to_js(sealed))
        except JsException as error:
            if getattr(error, "name", "") == "OperationError":  # WebCrypto's "bad tag"
                return None
            raise
        return bytes(plain.to_bytes())

    async def seal_many(
        self, nonces: Sequence[bytes], plaintexts: Sequence[bytes], aad: bytes
    ) -> list[bytes]:
        return [
            out for out in await self._many("encrypt", nonces, plaintexts, aad) if out is not None
        ]

    async def open_many(
        self, nonces: Sequence[bytes], sealed: Sequence[bytes], aad: bytes
    ) -> list[bytes | None]:
        return await self._many("decrypt", nonces, sealed, aad)

    async def _many(
        self, operation: str, nonces: Sequence[bytes], inputs: Sequence[bytes], aad: bytes
    ) -> list[bytes | None]:
        """One round trip for the whole batch: the chunks cross the FFI as one buffer each
        way and ``crypto-batch.js`` runs the WebCrypto calls concurrently (see there why)."""
        batch = getattr(js, "syncoxideCrypto", None)
        if batch is None:
            raise ConfigError(
                "This page cannot encrypt: its crypto helper script did not load.",
                hint="Reload the page; if it persists, the server's files are incomplete.",
            )
        # bytes go over as PyProxies that crypto-batch.js views in place: no copy on the way in.
        result = await batch.gcmMany(
            operation,
            self._key,
            b"".join(nonces),
            len(nonces[0]) if nonces else 12,
            aad,
            b"".join(inputs),
            to_js([len(chunk) for chunk in inputs]),
        )
        packed = result.packed.to_bytes()
        outputs: list[bytes | None] = []
        position = 0
        for length in result.lengths.to_py():
            if length < 0:
                outputs.append(None)
                continue
            outputs.append(packed[position : position + length])
            position += length
        return outputs


class _WebCtrKey:
    __slots__ = ("_key",)

    def __init__(self, key: Any) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "<WebCrypto AES-256-CTR key, redacted>"

    async def xor(self, counter_block: bytes, data: bytes) -> bytes:
        # length=128: the whole block is the counter, as in cryptography's CTR mode.
        algorithm = _params(name="AES-CTR", counter=to_js(counter_block), length=128)
        out = await _subtle().encrypt(algorithm, self._key, to_js(data))
        return bytes(out.to_bytes())


# PKCS#8 wrapping of a raw 32-byte X25519 private key (RFC 8410): WebCrypto imports no raw
# private keys, and this fixed prefix is all the DER there is.
_X25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b656e04220420")


async def _x25519_private(private: SecretBytes, extractable: bool) -> Any:
    der = _X25519_PKCS8_PREFIX + private.reveal()
    usages = to_js(["deriveBits"])
    return await _subtle().importKey(
        "pkcs8", to_js(der), _params(name="X25519"), extractable, usages
    )


class WebCryptoBackend:
    """The ``CryptoBackend`` and ``KeyAgreement`` ports in the browser (and in Pyodide/Node)."""

    async def x25519_public(self, private: SecretBytes) -> bytes:
        jwk = await _subtle().exportKey("jwk", await _x25519_private(private, True))
        return base64.urlsafe_b64decode(str(jwk.x) + "==")

    async def x25519(self, private: SecretBytes, peer_public: bytes) -> SecretBytes:
        key = await _x25519_private(private, False)
        try:
            peer = await _subtle().importKey(
                "raw", to_js(peer_public), _params(name="X25519"), True, to_js([])
            )
            bits = await _subtle().deriveBits(_params(name="X25519", public=peer), key, 256)
        except JsException as error:
            if getattr(error, "name", "") in {"OperationError", "DataError"}:
                return SecretBytes(bytes(32))  # a low-order or malformed point: callers refuse
            raise
        return SecretBytes(bytes(bits.to_bytes()))

    async def aes_gcm(self, key: SecretBytes) -> AesGcmKey:
        return _WebGcmKey(await _import(key, "AES-GCM", ["encrypt", "decrypt"]))

    async def aes_ctr(self, key: SecretBytes) -> AesCtrKey:
        return _WebCtrKey(await _import(key, "AES-CTR", ["encrypt", "decrypt"]))

    async def argon2id(
        self, password: SecretBytes, salt: bytes, params: Argon2Params
    ) -> SecretBytes:
        hashwasm = await load_global("hashwasm", "hash-wasm")
        options = _params(
            password=to_js(password.reveal()),
            salt=to_js(salt),
            parallelism=params.parallelism,
            iterations=params.iterations,
            memorySize=params.memory_kib,
            hashLength=32,
            outputType="binary",
        )
        digest = await hashwasm.argon2id(options)
        return SecretBytes(bytes(digest.to_py()))
