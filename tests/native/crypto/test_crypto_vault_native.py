"""The vault with real Argon2id: wrong password, password change, tampered parameters."""

import os

import pytest

from syncoxide.crypto import vault
from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import IntegrityError, WrongPasswordError
from syncoxide.system import SystemRandom
from tests.native.crypto.scripted import BACKEND, open_all, run, seal

CHEAP = Argon2Params(memory_kib=256, iterations=1)
RIGHT, WRONG = SecretBytes(b"right password"), SecretBytes(b"wrong password")


def test_wrong_password_is_named_and_leaks_nothing() -> None:
    record, _ = run(vault.create_vault(BACKEND, RIGHT, SystemRandom(), CHEAP))
    with pytest.raises(WrongPasswordError) as caught:
        run(vault.unlock_vault(BACKEND, record, WRONG))
    text = str(caught.value) + repr(caught.value)
    assert "password is wrong" in text
    assert "wrong password" not in text and "right password" not in text


def test_password_change_keeps_files_readable_without_re_encryption() -> None:
    record, master = run(vault.create_vault(BACKEND, RIGHT, SystemRandom(), CHEAP))
    ciphertext = run(seal(master, b"kept as is", SystemRandom()))
    changed = run(vault.change_password(BACKEND, record, SystemRandom(), old=RIGHT, new=WRONG))
    assert changed.key_id == record.key_id and changed.salt != record.salt
    with pytest.raises(WrongPasswordError):
        run(vault.unlock_vault(BACKEND, changed, RIGHT))
    same_master = run(vault.unlock_vault(BACKEND, changed, WRONG))
    assert run(open_all(same_master, ciphertext)) == b"kept as is"


def test_change_password_needs_the_old_one() -> None:
    record, _ = run(vault.create_vault(BACKEND, RIGHT, SystemRandom(), CHEAP))
    with pytest.raises(WrongPasswordError):
        run(vault.change_password(BACKEND, record, SystemRandom(), old=WRONG, new=RIGHT))


@pytest.mark.parametrize("offset", [10, 13, 20, 45, 60, 99])
def test_any_changed_vault_byte_refuses_to_unlock(offset: int) -> None:
    record, _ = run(vault.create_vault(BACKEND, RIGHT, SystemRandom(), CHEAP))
    raw = bytearray(record.encode())
    raw[offset] ^= 0x01
    with pytest.raises((WrongPasswordError, IntegrityError)):
        run(vault.unlock_vault(BACKEND, vault.parse_vault(bytes(raw)), RIGHT))


def test_backend_handles_do_not_show_keys() -> None:
    key = SecretBytes(os.urandom(32))
    gcm = run(BACKEND.aes_gcm(key))
    ctr = run(BACKEND.aes_ctr(key))
    for handle in (gcm, ctr):
        assert key.reveal().hex() not in repr(handle) and "redacted" in repr(handle)
