"""syncoxide reproduces the known-answer vectors byte for byte, and so does the reference."""

import json
from typing import Any

import pytest

from syncoxide.crypto import names, vault
from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from tests.core.crypto.vectors import VECTORS, load_cases
from tests.native.crypto import reference_crypto
from tests.native.crypto.scripted import BACKEND, ScriptedRandom, open_all, run, seal


def test_vectors_on_disk_are_what_the_independent_reference_computes() -> None:
    for filename, content in reference_crypto.all_vectors().items():
        on_disk = json.loads((VECTORS / filename).read_text("utf-8"))
        assert on_disk == json.loads(json.dumps(content, ensure_ascii=False)), filename


@pytest.mark.parametrize("case", load_cases("file_v1.json"), ids=lambda c: c["label"])
def test_file_encryption_is_byte_exact(case: dict[str, Any]) -> None:
    master = SecretBytes(bytes.fromhex(case["master"]))
    random = ScriptedRandom(
        bytes.fromhex(case["file_key"]),
        bytes.fromhex(case["prefix"]),
        bytes.fromhex(case["wrap_nonce"]),
    )
    plaintext = bytes.fromhex(case["plaintext"])
    ciphertext = run(seal(master, plaintext, random, case["chunk_log2"]))
    assert ciphertext.hex() == case["expected"]["ciphertext"]
    assert run(open_all(master, ciphertext)) == plaintext


@pytest.mark.parametrize("case", load_cases("names_v1.json"), ids=lambda c: c["name"][:12])
def test_name_encryption_is_byte_exact(case: dict[str, Any]) -> None:
    cipher = names.NameCipher(
        BACKEND, SecretBytes(bytes.fromhex(case["names_key"])), case["max_length"]
    )
    stored = run(cipher.encrypt(case["directory"], case["name"]))
    assert (stored.stored, stored.sidecar) == (
        case["expected"]["stored"],
        case["expected"]["sidecar"],
    )
    assert run(cipher.decrypt(case["directory"], stored.stored, stored.sidecar)) == case["name"]


def test_vault_is_byte_exact_and_unlocks() -> None:
    case = load_cases("vault_v1.json")[0]
    password = SecretBytes(bytes.fromhex(case["password"]))
    random = ScriptedRandom(
        bytes.fromhex(case["master"]),
        bytes.fromhex(case["salt"]),
        bytes.fromhex(case["wrap_nonce"]),
    )
    params = Argon2Params(memory_kib=case["memory_kib"], iterations=case["iterations"])
    record, master = run(vault.create_vault(BACKEND, password, random, params))
    assert record.encode().hex() == case["expected"]["vault"]
    assert (
        run(BACKEND.argon2id(password, record.salt, params)).reveal().hex()
        == (case["expected"]["kek"])
    )
    assert run(vault.unlock_vault(BACKEND, vault.parse_vault(record.encode()), password)) == master
