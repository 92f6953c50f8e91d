import pickle

import pytest

from syncoxide.crypto import keys
from tests.core.crypto.vectors import load_cases


def test_hkdf_matches_rfc5869_case_1() -> None:
    ikm = bytes.fromhex("0b" * 22)
    salt = bytes.fromhex("000102030405060708090a0b0c")
    info = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9")
    okm = keys.hkdf_sha256(ikm, salt=salt, info=info, length=42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_hkdf_matches_rfc5869_case_3_empty_salt_and_info() -> None:
    okm = keys.hkdf_sha256(bytes.fromhex("0b" * 22), info=b"", length=42)
    assert okm.hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


@pytest.mark.parametrize("case", load_cases("file_v1.json"), ids=lambda c: c["label"])
def test_key_schedule_matches_vectors(case: dict[str, str]) -> None:
    master = keys.SecretBytes(bytes.fromhex(case["master"]))
    file_key = keys.SecretBytes(bytes.fromhex(case["file_key"]))
    assert keys.key_id(master).hex() == case["expected"]["key_id"]
    assert keys.payload_key(file_key).reveal().hex() == case["expected"]["payload_key"]


def test_each_purpose_gets_its_own_key() -> None:
    secret = keys.SecretBytes(bytes(32))
    derived = {
        keys.names_key(secret).reveal(),
        keys.payload_key(secret).reveal(),
        keys.commit_key(secret).reveal(),
        keys.key_id(secret),
    }
    assert len(derived) == 4


def test_secret_bytes_never_show_or_pickle_their_value() -> None:
    secret = keys.SecretBytes(b"hunter2-hunter2")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret}" and "redacted" in repr(secret)
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        hash(secret)


def test_secret_bytes_compare_by_value() -> None:
    assert keys.SecretBytes(b"a") == keys.SecretBytes(b"a")
    assert keys.SecretBytes(b"a") != keys.SecretBytes(b"b")
    assert keys.SecretBytes(b"a") != b"a"
    assert len(keys.SecretBytes(b"abc")) == 3
