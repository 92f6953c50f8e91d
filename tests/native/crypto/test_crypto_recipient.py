"""Files sealed to a public key (request links): round trips, sizes, wrong keys, damage."""

import dataclasses
import json
import os
from typing import Any

import pytest

from syncoxide.crypto import recipient, stream
from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.crypto.recipient_key import new_request_key, parse_request_key, unlock_request_key
from syncoxide.errors import (
    ForeignFormatError,
    FormatError,
    TamperedDataError,
    TruncatedDataError,
    WrongKeyError,
    WrongPasswordError,
)
from syncoxide.system import SystemRandom
from tests.core.crypto.vectors import VECTORS, load_cases
from tests.native.crypto import reference_recipient
from tests.native.crypto.scripted import BACKEND, ScriptedRandom, collector, reader, run

RANDOM = SystemRandom()
OWNER = SecretBytes(os.urandom(32))
CHEAP = Argon2Params(memory_kib=64, iterations=1)


def owner_public(private: SecretBytes = OWNER) -> bytes:
    return run(BACKEND.x25519_public(private))


async def _seal(plaintext: bytes, path: str, public: bytes) -> bytes:
    sealer = await recipient.seal_to(BACKEND, public, path, RANDOM, chunk_log2=6)
    parts, write = collector()
    await stream.seal_stream(sealer, reader(plaintext), write)
    return b"".join(parts)


async def _open(ciphertext: bytes, private: SecretBytes = OWNER) -> tuple[str, bytes]:
    header = recipient.parse_header(ciphertext)
    path, opener = await recipient.open_from(BACKEND, private, header)
    parts, write = collector()
    await stream.open_stream(opener, reader(ciphertext[header.size :]), write)
    return path, b"".join(parts)


@pytest.mark.parametrize("size", [0, 1, 64, 65, 1000])
def test_round_trip_keeps_bytes_and_name(size: int) -> None:
    plaintext = os.urandom(size)
    path = "Reports/2026/ünïcode ✓.pdf"
    ciphertext = run(_seal(plaintext, path, owner_public()))
    assert len(ciphertext) == recipient.sealed_size(size, path, chunk_log2=6)
    assert path.encode() not in ciphertext and (size < 8 or plaintext[:8] not in ciphertext)
    assert run(_open(ciphertext)) == (path, plaintext)


def test_every_file_gets_its_own_ephemeral_key() -> None:
    first = run(_seal(b"same", "same.txt", owner_public()))
    second = run(_seal(b"same", "same.txt", owner_public()))
    assert first[16:48] != second[16:48] and first != second


def test_another_owners_key_is_refused_before_anything_opens() -> None:
    ciphertext = run(_seal(b"secret", "a.txt", owner_public()))
    with pytest.raises(WrongKeyError, match="different key"):
        run(_open(ciphertext, SecretBytes(os.urandom(32))))


@pytest.mark.parametrize("position", [20, 60, -3])
def test_a_flipped_byte_is_caught(position: int) -> None:
    damaged = bytearray(run(_seal(os.urandom(300), "a.bin", owner_public())))
    damaged[position] ^= 1
    with pytest.raises(TamperedDataError):
        run(_open(bytes(damaged)))


def test_a_cut_file_is_caught() -> None:
    ciphertext = run(_seal(os.urandom(300), "a.bin", owner_public()))
    header = recipient.parse_header(ciphertext)
    cut_at_chunk_boundary = ciphertext[: header.size + 2 * (64 + 16)]
    with pytest.raises(TruncatedDataError):
        run(_open(cut_at_chunk_boundary))
    with pytest.raises(TruncatedDataError):
        recipient.parse_header(ciphertext[:40])


def test_foreign_bytes_are_named_as_such() -> None:
    with pytest.raises(ForeignFormatError):
        recipient.parse_header(b"PK\x03\x04" + bytes(100))


def test_key_file_without_passphrase_round_trips() -> None:
    file, private = run(new_request_key(BACKEND, RANDOM, "link1"))
    parsed = parse_request_key(file.encode())
    assert parsed == file and not parsed.protected
    assert run(unlock_request_key(BACKEND, parsed, None)) == private


def test_key_file_with_passphrase_keeps_the_private_key_only_sealed() -> None:
    secret = SecretBytes(b"correct horse")
    file, private = run(new_request_key(BACKEND, RANDOM, "link1", passphrase=secret, params=CHEAP))
    text = file.encode()
    assert "private_key" not in text and parse_request_key(text).protected
    assert run(unlock_request_key(BACKEND, parse_request_key(text), secret)) == private
    with pytest.raises(WrongPasswordError):
        run(unlock_request_key(BACKEND, file, SecretBytes(b"wrong")))
    with pytest.raises(WrongPasswordError, match="protected"):
        run(unlock_request_key(BACKEND, file, None))


@pytest.mark.parametrize("text", ["", "{}", '{"syncoxide": "request-key", "version": 1}', "[1]"])
def test_a_broken_key_file_is_a_clear_error(text: str) -> None:
    with pytest.raises(FormatError, match="request key"):
        parse_request_key(text)


def test_a_key_file_whose_halves_disagree_is_refused() -> None:
    file, _ = run(new_request_key(BACKEND, RANDOM, "link1"))
    other = parse_request_key(dataclasses.replace(file, public_key=owner_public()).encode())
    with pytest.raises(TamperedDataError, match="halves"):
        run(unlock_request_key(BACKEND, other, None))


def test_vectors_on_disk_are_what_the_independent_reference_computes() -> None:
    on_disk = json.loads((VECTORS / reference_recipient.FILENAME).read_text("utf-8"))
    assert on_disk == json.loads(json.dumps({"cases": reference_recipient.cases()}))


@pytest.mark.parametrize("case", load_cases("recipient_v1.json"), ids=lambda c: c["label"])
def test_sealing_is_byte_exact_and_opens(case: dict[str, Any]) -> None:
    random = ScriptedRandom(bytes.fromhex(case["ephemeral_private"]), bytes.fromhex(case["prefix"]))

    async def seal() -> bytes:
        public = bytes.fromhex(case["owner_public"])
        sealer = await recipient.seal_to(
            BACKEND, public, case["path"], random, chunk_log2=case["chunk_log2"]
        )
        parts, write = collector()
        await stream.seal_stream(sealer, reader(bytes.fromhex(case["plaintext"])), write)
        return b"".join(parts)

    sealed = run(seal())
    assert sealed.hex() == case["expected"]
    owner = SecretBytes(bytes.fromhex(case["owner_private"]))
    assert run(_open(sealed, owner)) == (case["path"], bytes.fromhex(case["plaintext"]))
