"""End-to-end encryption of a share on CPython: what ``syncoxide share --encrypt`` uploads.

(Also the terminal QR code of any share link, printed by ``syncoxide share``.)

Each file is sealed into a private scratch copy (file format v1 under the share key) just
before its upload and removed right after, so at most one file's ciphertext is on disk at a
time; names become encrypted paths (``syncoxide.crypto.share_key``). The share key itself
only ever appears in the printed link's fragment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from syncoxide.crypto import stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import encrypt_path, path_cipher
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.system import SystemRandom


def encrypted_names(names: Sequence[str], key: SecretBytes) -> list[str]:
    async def run() -> list[str]:
        cipher = path_cipher(CryptographyBackend(), key)
        return [await encrypt_path(cipher, name) for name in names]

    return asyncio.run(run())


def sealed_copy(source: Path, key: SecretBytes, target: Path) -> Path:
    """``source`` encrypted into ``target`` (a new private file); returns ``target``."""

    async def run() -> None:
        sealer = await stream.FileSealer.create(CryptographyBackend(), key, SystemRandom())
        with source.open("rb") as plain, target.open("xb") as sealed:
            target.chmod(0o600)

            async def read(size: int) -> bytes:
                return plain.read(size)

            async def write(data: bytes) -> None:
                sealed.write(data)

            await stream.seal_stream(sealer, read, write)

    asyncio.run(run())
    return target
