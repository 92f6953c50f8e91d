"""The vault record's layout and bounds (the Argon2id and AES parts run in tests/native)."""

import pytest

from syncoxide.crypto import vault
from syncoxide.crypto.backend import Argon2Params
from syncoxide.errors import (
    ForeignFormatError,
    MalformedDataError,
    TruncatedDataError,
    UnsupportedVersionError,
)
from tests.core.crypto.vectors import load_cases

RAW = bytes.fromhex(load_cases("vault_v1.json")[0]["expected"]["vault"])


def test_vector_vault_parses_and_re_encodes() -> None:
    record = vault.parse_vault(RAW)
    assert record.params == Argon2Params(memory_kib=256, iterations=2, parallelism=1)
    assert record.salt == bytes(range(16)) and record.wrap_nonce == bytes.fromhex("c1" * 12)
    assert record.encode() == RAW and len(RAW) == vault.VAULT_SIZE_V1
    assert record.aad() == RAW[:40]


def test_bad_vaults_get_precise_errors() -> None:
    with pytest.raises(ForeignFormatError):
        vault.parse_vault(b"something else entirely" * 5)
    with pytest.raises(UnsupportedVersionError):
        vault.parse_vault(RAW[:7] + b"\x02" + RAW[8:])
    with pytest.raises(TruncatedDataError):
        vault.parse_vault(RAW[:60])


@pytest.mark.parametrize(
    "params",
    [
        Argon2Params(memory_kib=4, iterations=1, parallelism=1),
        Argon2Params(memory_kib=8 * 1024 * 1024, iterations=1, parallelism=1),
        Argon2Params(memory_kib=65536, iterations=0, parallelism=1),
        Argon2Params(memory_kib=65536, iterations=1, parallelism=0),
    ],
)
def test_hostile_kdf_costs_are_refused(params: Argon2Params) -> None:
    with pytest.raises(MalformedDataError):
        vault.check_params(params)
