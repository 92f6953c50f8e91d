"""Runs inside Pyodide under Node (see run_webcrypto_vectors.mjs): WebCrypto vs the vectors.

Top-level ``await`` at the end: this file is executed with ``runPythonAsync``, not imported.
"""
# ruff: noqa: F704

import json
import sys

sys.path.insert(0, "/project/webpy")

import js
from syncoxide_web.platform.webcrypto import WebCryptoBackend

from syncoxide.crypto import names, recipient, stream, vault
from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import TamperedDataError

VECTORS = "/project/tests/vectors/crypto/"
BACKEND = WebCryptoBackend()


class ScriptedRandom:
    def __init__(self, *values: bytes) -> None:
        self.values = list(values)

    def token_bytes(self, count: int) -> bytes:
        value = self.values.pop(0)
        assert len(value) == count
        return value


def cases(filename: str) -> list[dict]:
    with open(VECTORS + filename, encoding="utf-8") as handle:
        return json.load(handle)["cases"]


async def check_files() -> int:
    for case in cases("file_v1.json"):
        master = SecretBytes(bytes.fromhex(case["master"]))
        random = ScriptedRandom(
            *(bytes.fromhex(case[k]) for k in ("file_key", "prefix", "wrap_nonce"))
        )
        sealer = await stream.FileSealer.create(BACKEND, master, random, case["chunk_log2"])
        parts = []
        plaintext = bytes.fromhex(case["plaintext"])
        source = [plaintext]

        async def read(size: int, source: list = source) -> bytes:
            taken, source[0] = source[0][:size], source[0][size:]
            return taken

        async def write(data: bytes, parts: list = parts) -> None:
            parts.append(data)

        await stream.seal_stream(sealer, read, write)
        ciphertext = b"".join(parts)
        assert ciphertext.hex() == case["expected"]["ciphertext"], case["label"]
        await check_tamper_detected(master, ciphertext)
    return len(cases("file_v1.json"))


async def check_tamper_detected(master: SecretBytes, ciphertext: bytes) -> None:
    """WebCrypto's rejected Promise (OperationError) must become TamperedDataError."""
    tampered = ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])  # the last chunk's tag
    source = [tampered]

    async def read(size: int) -> bytes:
        taken, source[0] = source[0][:size], source[0][size:]
        return taken

    async def discard(data: bytes) -> None:
        pass

    opener = await stream.FileOpener.create(BACKEND, master, await stream.read_header(read))
    try:
        await stream.open_stream(opener, read, discard)
    except TamperedDataError:
        return
    raise AssertionError("a flipped bit went unnoticed")


async def check_names() -> int:
    for case in cases("names_v1.json"):
        cipher = names.NameCipher(
            BACKEND, SecretBytes(bytes.fromhex(case["names_key"])), case["max_length"]
        )
        stored = await cipher.encrypt(case["directory"], case["name"])
        assert stored.stored == case["expected"]["stored"], case["name"]
        assert (
            await cipher.decrypt(case["directory"], stored.stored, stored.sidecar) == case["name"]
        )
    return len(cases("names_v1.json"))


async def check_vault() -> str:
    if getattr(js, "hashwasm", None) is None:
        return "argon2: not loaded"
    case = cases("vault_v1.json")[0]
    params = Argon2Params(memory_kib=case["memory_kib"], iterations=case["iterations"])
    random = ScriptedRandom(*(bytes.fromhex(case[k]) for k in ("master", "salt", "wrap_nonce")))
    password = SecretBytes(bytes.fromhex(case["password"]))
    record, _ = await vault.create_vault(BACKEND, password, random, params)
    assert record.encode().hex() == case["expected"]["vault"]
    return "argon2: checked"


async def check_recipient() -> int:
    """X25519 through WebCrypto (PKCS#8 import, JWK export) gives the vectors' bytes."""
    for case in cases("recipient_v1.json"):
        random = ScriptedRandom(
            bytes.fromhex(case["ephemeral_private"]), bytes.fromhex(case["prefix"])
        )
        public = bytes.fromhex(case["owner_public"])
        sealer = await recipient.seal_to(
            BACKEND, public, case["path"], random, chunk_log2=case["chunk_log2"]
        )
        plaintext = bytes.fromhex(case["plaintext"])
        size = sealer.header.chunk_size
        pieces = [plaintext[i : i + size] for i in range(0, len(plaintext), size)] or [b""]
        sealed = sealer.header.encode() + b"".join(await sealer.seal_chunks(pieces, last=True))
        assert sealed.hex() == case["expected"], case["label"]
        owner = SecretBytes(bytes.fromhex(case["owner_private"]))
        header = recipient.parse_header(sealed)
        path, _ = await recipient.open_from(BACKEND, owner, header)
        assert path == case["path"]
    return len(cases("recipient_v1.json"))


print(
    f"webcrypto files: {await check_files()}, names: {await check_names()}, {await check_vault()}"
    f", sealed to a key: {await check_recipient()}"
)
