"""Name encryption through the real AES-CTR backend."""

import os

import pytest

from syncoxide.crypto import names
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import MalformedDataError, TamperedDataError
from tests.native.crypto.scripted import BACKEND, run

CIPHER = names.NameCipher(BACKEND, SecretBytes(os.urandom(32)), 255)


def encrypt(directory: str, name: str) -> names.StoredName:
    return run(CIPHER.encrypt(directory, name))


def decrypt(directory: str, stored: str, sidecar: str | None = None) -> str:
    return run(CIPHER.decrypt(directory, stored, sidecar))


@pytest.mark.parametrize("name", ["a", "report.pdf", "Ünïcødé ✓.md", " spaced ", "x" * 143])
def test_round_trip_and_determinism(name: str) -> None:
    stored = encrypt("docs/2026", name)
    assert stored == encrypt("docs/2026", name)  # the provider can look it up
    assert stored.sidecar is None
    assert decrypt("docs/2026", stored.stored) == name
    assert decrypt("docs/2026", stored.stored.upper()) == name  # case-folding provider


def test_same_name_differs_between_directories() -> None:
    assert encrypt("a", "same.txt").stored != encrypt("b", "same.txt").stored


def test_a_name_moved_to_another_directory_fails_authentication() -> None:
    with pytest.raises(TamperedDataError):
        decrypt("b", encrypt("a", "same.txt").stored)


def test_a_changed_character_fails_authentication() -> None:
    stored = encrypt("", "hello.txt").stored
    changed = stored[:-3] + ("a" if stored[-3] != "a" else "b") + stored[-2:]
    with pytest.raises((TamperedDataError, MalformedDataError)):
        decrypt("", changed)


@pytest.mark.parametrize("length", [144, 255, 1000])
def test_long_names_round_trip_through_a_sidecar(length: int) -> None:
    stored = encrypt("deep/dir", "n" * length)
    assert stored.sidecar is not None and len(stored.stored) <= 255
    assert decrypt("deep/dir", stored.stored, stored.sidecar) == "n" * length


def test_garbage_is_not_a_name() -> None:
    with pytest.raises(MalformedDataError):
        decrypt("", "abc")


def test_an_authentic_but_unsafe_name_is_refused() -> None:
    # Forge ".." the way a malicious key holder could, bypassing encrypt()'s own check.
    from syncoxide.crypto.keys import hmac_sha256

    key = SecretBytes(os.urandom(32))
    mac_key, ctr_key = names.directory_keys(key, "")
    siv = hmac_sha256(mac_key.reveal(), b"..")[:16]
    ctr = run(BACKEND.aes_ctr(ctr_key))
    stored = names.encode_base32(siv + run(ctr.xor(siv, b"..")))
    with pytest.raises(MalformedDataError):
        run(names.NameCipher(BACKEND, key, 255).decrypt("", stored))
