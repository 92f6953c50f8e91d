"""``syncoxide pgp-encrypt``: real GnuPG 2.2 in a throwaway GNUPGHOME opens what we write."""

import os
from pathlib import Path

import pytest

from syncoxide.cli.main import main
from tests.conftest import GnuPG


@pytest.mark.parametrize("armor", [False, True])
def test_gpg_decrypts_what_we_encrypt(gnupg: GnuPG, tmp_path: Path, armor: bool) -> None:
    key = gnupg.new_key("alice@example.org", tmp_path)
    data = os.urandom(300_000)
    (tmp_path / "in.bin").write_bytes(data)
    flags = ["--armor"] if armor else []
    out = tmp_path / "out.pgp"
    assert main(["pgp-encrypt", *flags, "--to", str(key), str(tmp_path / "in.bin"), str(out)]) == 0
    assert out.read_bytes().startswith(b"-----BEGIN PGP MESSAGE-----") == armor
    assert gnupg.run("--decrypt", str(out)).stdout == data


def test_several_recipients_each_get_a_key_packet(gnupg: GnuPG, tmp_path: Path) -> None:
    keys = [gnupg.new_key(f"{who}@example.org", tmp_path) for who in ("alice", "bob")]
    (tmp_path / "in.txt").write_text("for both")
    to = [arg for key in keys for arg in ("--to", str(key))]
    assert main(["pgp-encrypt", *to, str(tmp_path / "in.txt"), str(tmp_path / "out.pgp")]) == 0
    packets = gnupg.run("--list-packets", str(tmp_path / "out.pgp"), check=False).stdout
    assert packets.count(b":pubkey enc packet:") == 2
    assert gnupg.run("--decrypt", str(tmp_path / "out.pgp")).stdout == b"for both"


def test_a_bad_key_file_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "not-a-key.asc").write_text("hello, I am not a key")
    (tmp_path / "in.txt").write_text("secret")
    args = ["--to", str(tmp_path / "not-a-key.asc"), str(tmp_path / "in.txt")]
    assert main(["pgp-encrypt", *args, str(tmp_path / "out.pgp")]) == 2
    assert "not an OpenPGP public key" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "not-a-key.asc"]


def test_folders_are_refused_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "key.asc").write_text("unused")
    assert (
        main(["pgp-encrypt", "--to", str(tmp_path / "key.asc"), str(tmp_path), str(tmp_path / "x")])
        == 2
    )
    assert "archive folders first" in capsys.readouterr().err


def export(gnupg: GnuPG, email: str, folder: Path) -> Path:
    exported = folder / f"{email}.asc"
    exported.write_bytes(gnupg.run("--export", "--armor", email).stdout)
    return exported


def refused(tmp_path: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "in.txt").write_text("secret")
    code = main(["pgp-encrypt", "--to", str(key), str(tmp_path / "in.txt"), str(tmp_path / "out")])
    assert code == 2
    assert not (tmp_path / "out").exists()
    return capsys.readouterr().err


def test_an_expired_key_is_refused_with_its_date(
    gnupg: GnuPG, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gnupg.new_expired_key("old@example.org")
    err = refused(tmp_path, export(gnupg, "old@example.org", tmp_path), capsys)
    assert "expired on 2020-01-02" in err


def test_a_revoked_key_is_refused(
    gnupg: GnuPG, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gnupg.new_key("gone@example.org", tmp_path)
    fingerprint = gnupg.run("--with-colons", "--list-keys", "gone@example.org").stdout
    fpr = next(line.split(b":")[9] for line in fingerprint.splitlines() if line.startswith(b"fpr"))
    home = Path(gnupg.env["GNUPGHOME"])
    certificate = (home / "openpgp-revocs.d" / f"{fpr.decode()}.rev").read_text()
    (tmp_path / "revoke.asc").write_text(certificate.replace(":-----BEGIN", "-----BEGIN"))
    gnupg.run("--import", str(tmp_path / "revoke.asc"))
    err = refused(tmp_path, export(gnupg, "gone@example.org", tmp_path), capsys)
    assert "was revoked" in err


def test_a_signing_only_key_is_refused(
    gnupg: GnuPG, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gnupg.run(
        "--passphrase",
        "",
        "--quick-gen-key",
        "Signer <sign@example.org>",
        "ed25519",
        "sign",
        "never",
    )
    err = refused(tmp_path, export(gnupg, "sign@example.org", tmp_path), capsys)
    assert "no subkey that can encrypt" in err


def test_a_v6_key_gpg_cannot_use_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    import pysequoia

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cert = pysequoia.Cert.generate("New <v6@example.org>", profile=pysequoia.Profile.RFC9580)
    (tmp_path / "v6.asc").write_text(str(cert))
    err = refused(tmp_path, tmp_path / "v6.asc", capsys)
    assert "v6 key" in err and "GnuPG 2.2" in err


def test_we_decrypt_what_gpg_encrypted_for_our_key(
    gnupg: GnuPG, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gnupg.new_key("me@example.org", tmp_path)
    secret = tmp_path / "secret.asc"
    secret.write_bytes(gnupg.run("--export-secret-keys", "--armor", "me@example.org").stdout)
    (tmp_path / "letter.txt").write_bytes(b"from gpg, to us" * 1000)
    gnupg.run(
        "--trust-model",
        "always",
        "--encrypt",
        "--recipient",
        "me@example.org",
        "--output",
        str(tmp_path / "letter.gpg"),
        str(tmp_path / "letter.txt"),
    )
    args = ["pgp-decrypt", "--key", str(secret), str(tmp_path / "letter.gpg")]
    assert main([*args, str(tmp_path / "back.txt")]) == 0
    assert (tmp_path / "back.txt").read_bytes() == b"from gpg, to us" * 1000

    gnupg.new_key("someone-else@example.org", tmp_path)
    other = tmp_path / "other.asc"
    other.write_bytes(
        gnupg.run("--export-secret-keys", "--armor", "someone-else@example.org").stdout
    )
    code = main(
        [
            "pgp-decrypt",
            "--key",
            str(other),
            str(tmp_path / "letter.gpg"),
            str(tmp_path / "wrong.txt"),
        ]
    )
    assert code == 1 and "could not be decrypted with this key" in capsys.readouterr().err
    assert not (tmp_path / "wrong.txt").exists()
