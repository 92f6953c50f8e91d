"""The share key in a link's fragment, encrypted share paths, and the CLI's refusals."""

from __future__ import annotations

import asyncio
import io
import os
import sys

import pytest

from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.share_key import (
    MAX_NAME_BYTES,
    check_shareable_paths,
    decrypt_path,
    encrypt_path,
    key_fragment,
    key_from_fragment,
    path_cipher,
)
from syncoxide.errors import MalformedDataError, TamperedDataError, UsageError
from syncoxide.native.crypto_backend import CryptographyBackend
from syncoxide.native.share_crypto import encrypted_names, print_qr
from syncoxide.safe_names import sanitized_relative_path

KEY = SecretBytes(os.urandom(32))


def test_the_fragment_carries_the_key_and_nothing_else() -> None:
    fragment = key_fragment(KEY)
    assert fragment.startswith("k=") and "=" not in fragment[2:] and len(fragment) == 45
    assert key_from_fragment("#" + fragment) == KEY
    assert key_from_fragment("x=1&" + fragment) == KEY


@pytest.mark.parametrize(
    ("fragment", "error"),
    [
        ("", UsageError),
        ("#k=", UsageError),
        ("#k=abc", MalformedDataError),
        ("#k=!!", MalformedDataError),
    ],
)
def test_a_missing_or_damaged_key_is_a_clear_error(fragment: str, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        key_from_fragment(fragment)
    assert "link" in str(raised.value)


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


def test_the_cli_refuses_long_and_duplicate_names_before_uploading() -> None:
    with pytest.raises(UsageError, match="too long"):
        check_shareable_paths(["ok.txt", "x" * (MAX_NAME_BYTES + 1)])
    with pytest.raises(UsageError, match="both"):
        check_shareable_paths(["Gig/a.txt", "Gig/a.txt"])
    check_shareable_paths(["Gig/a.txt", "Other/a.txt"])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_link_gets_a_qr_code_only_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped, terminal = io.StringIO(), _Terminal()
    monkeypatch.setattr(sys, "stdout", piped)
    print_qr("http://127.0.0.1:8000/s/abc#k=" + "A" * 43)
    monkeypatch.setattr(sys, "stdout", terminal)
    print_qr("http://127.0.0.1:8000/s/abc#k=" + "A" * 43)
    assert piped.getvalue() == ""
    lines = terminal.getvalue().splitlines()
    assert len(lines) >= 15 and len({len(line) for line in lines}) == 1  # a square of blocks
    assert set("".join(lines)) <= set(" █▀▄\x1b[0m;37")
