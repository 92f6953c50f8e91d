"""The one piece of ``cryptography`` that PyPI's pure ``spake2`` imports, for the browser.

``spake2`` (the PAKE the CLI pairs with) is pure Python except that it derives its scalars with
``cryptography``'s HKDF-SHA256. ``cryptography`` has no WebAssembly wheel we can ship (it is
compiled Rust and OpenSSL), so in the page these modules stand in for exactly the two names
``spake2.groups`` uses: ``hkdf.HKDF(algorithm=hashes.SHA256(), length, salt, info).derive``,
computed by the core's RFC 5869 HKDF. Installed only where the real package is missing; the
tests check both give the same bytes, so both ends of a pairing derive the same key.
"""

from __future__ import annotations

import importlib.util
import sys
import types

from syncoxide.crypto.keys import hkdf_sha256

_PACKAGES = ("cryptography", "cryptography.hazmat", "cryptography.hazmat.primitives",
             "cryptography.hazmat.primitives.kdf")  # fmt: skip


class SHA256:
    name = "sha256"


class HKDF:
    def __init__(self, *, algorithm: SHA256, length: int, salt: bytes | None, info: bytes | None):
        if not isinstance(algorithm, SHA256):
            raise TypeError("Only HKDF-SHA256 is available in the browser.")
        self._length, self._salt, self._info = length, salt or b"", info or b""

    def derive(self, key_material: bytes) -> bytes:
        return hkdf_sha256(key_material, info=self._info, length=self._length, salt=self._salt)


def install() -> None:
    """Make ``import cryptography.hazmat.primitives.{hashes,kdf.hkdf}`` find these, if needed."""
    if "cryptography" in sys.modules or importlib.util.find_spec("cryptography") is not None:
        return
    for name in _PACKAGES:
        package = types.ModuleType(name)
        package.__path__ = []
        sys.modules[name] = package
    hashes = types.ModuleType("cryptography.hazmat.primitives.hashes")
    hashes.SHA256 = SHA256  # type: ignore[attr-defined]
    hkdf = types.ModuleType("cryptography.hazmat.primitives.kdf.hkdf")
    hkdf.HKDF = HKDF  # type: ignore[attr-defined]
    sys.modules[hashes.__name__], sys.modules[hkdf.__name__] = hashes, hkdf
    sys.modules["cryptography.hazmat.primitives"].hashes = hashes  # type: ignore[attr-defined]
    sys.modules["cryptography.hazmat.primitives.kdf"].hkdf = hkdf  # type: ignore[attr-defined]
