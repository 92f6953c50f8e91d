"""The share key in a link's fragment, encrypted share paths, and the CLI's refusals."""

from __future__ import annotations

import asyncio
import os

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import (
    MAX_NAME_BYTES,
    decrypt_path,
    encrypt_path,
    path_cipher,
)
from syncoxide.errors import TamperedDataError
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.native.crypto.share import encrypted_names
from syncoxide.safe_names import sanitized_relative_path

KEY = SecretBytes(os.urandom(32))


def test_paths_round_trip_and_stay_safe_on_the_server() -> None:
    paths = [
        "Gig/audio/take 1.wav",
        "Gig/audio/take 2.wav",
        "CON",
        "Ünïcødé ✓/" + "n" * MAX_NAME_BYTES,
    ]
    stored = encrypted_names(paths, KEY)
    assert all(sanitized_relative_path(s) == s for s in stored)  # the server keeps them as-is
    assert stored[0].split("/")[:2] == stored[1].split("/")[:2]  # same folder, same name
    assert not any(part in s for s in stored for p in paths for part in p.split("/"))

    async def decrypted(key: SecretBytes) -> list[str]:
        cipher = path_cipher(CryptographyBackend(), key)
        return [await decrypt_path(cipher, s) for s in stored]

    assert asyncio.run(decrypted(KEY)) == paths
    with pytest.raises(TamperedDataError):
        asyncio.run(decrypted(SecretBytes(os.urandom(32))))


def test_a_name_moved_to_another_folder_does_not_decrypt() -> None:
    async def run() -> None:
        cipher = path_cipher(CryptographyBackend(), KEY)
        a = await encrypt_path(cipher, "a/x.txt")
        b = await encrypt_path(cipher, "b/x.txt")
        with pytest.raises(TamperedDataError):
            await decrypt_path(cipher, a.split("/")[0] + "/" + b.split("/")[1])

    asyncio.run(run())
