"""``syncoxide encrypt`` / ``decrypt`` end to end: files, folders, passwords, bad input."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from syncoxide.cli.main import main
from syncoxide.native.crypto.files import VAULT_FILE

CHEAP = ["--kdf-memory-mib", "1", "--kdf-iterations", "1"]
PASSWORD = "s3cret-Passw0rd"


@pytest.fixture(autouse=True)
def password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCOXIDE_PASSWORD", PASSWORD)


def make_tree(root: Path) -> Path:
    (root / "src" / "sub" / "deeper").mkdir(parents=True)
    (root / "src" / "a.txt").write_text("hello")
    (root / "src" / "sub" / "big.bin").write_bytes(os.urandom(200_000))
    (root / "src" / "sub" / "deeper" / "empty").write_bytes(b"")
    (root / "src" / ("L" * 200 + ".txt")).write_text("long name")
    (root / "src" / "empty-dir").mkdir()
    return root / "src"


def listing(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if "partial" in p.name]


def test_folder_round_trip_hides_names(tmp_path: Path) -> None:
    source = make_tree(tmp_path)
    assert main(["encrypt", *CHEAP, str(source), str(tmp_path / "enc")]) == 0
    stored = [p.name for p in (tmp_path / "enc").rglob("*")]
    # Stored names are random base32, so a short word like "sub" may turn up inside one by
    # chance: look for the plain names and extensions themselves.
    plain = {p.name for p in source.rglob("*")}
    assert VAULT_FILE in stored and not plain & set(stored)
    assert not any(name.endswith((".txt", ".bin")) for name in stored)
    assert main(["decrypt", str(tmp_path / "enc"), str(tmp_path / "dec")]) == 0
    assert listing(tmp_path / "dec") == listing(source)


def test_file_round_trip_with_password_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNCOXIDE_PASSWORD")
    (tmp_path / "pw").write_text("from a file\n")
    (tmp_path / "in.bin").write_bytes(os.urandom(150_000))
    pw = ["--password-file", str(tmp_path / "pw")]
    assert main(["encrypt", *CHEAP, *pw, str(tmp_path / "in.bin"), str(tmp_path / "out.sx")]) == 0
    assert main(["decrypt", *pw, str(tmp_path / "out.sx"), str(tmp_path / "back.bin")]) == 0
    assert (tmp_path / "back.bin").read_bytes() == (tmp_path / "in.bin").read_bytes()


def encrypted_file(tmp_path: Path, data: bytes = b"x" * 100_000) -> Path:
    (tmp_path / "in.bin").write_bytes(data)
    assert main(["encrypt", *CHEAP, str(tmp_path / "in.bin"), str(tmp_path / "out.sx")]) == 0
    return tmp_path / "out.sx"


def failed_decrypt(tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["decrypt", str(source), str(tmp_path / "result")]) == 1
    assert not (tmp_path / "result").exists() and leftovers(tmp_path) == []
    message = capsys.readouterr().err
    assert "Nothing was written to" in message and PASSWORD not in message
    return message


def test_wrong_password_exits_1_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = encrypted_file(tmp_path)
    monkeypatch.setenv("SYNCOXIDE_PASSWORD", "not it")
    assert "password is wrong" in failed_decrypt(tmp_path, source, capsys)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda b: b[:-100], "failed authentication"),
        (lambda b: b[: 100 + 116 + 65552], "cut short"),
        (lambda b: b[:500] + bytes([b[500] ^ 1]) + b[501:], "failed authentication"),
        (lambda b: b[:50] + bytes([b[50] ^ 1]) + b[51:], "password is wrong"),
        (lambda b: b"", "empty"),
        (lambda b: b[:100], "ends before its header"),
        (lambda b: b"\x89PNG\r\n\x1a\n" + b[8:], "not encrypted by syncoxide"),
        (lambda b: b[:107] + b"\x09" + b[108:], "version 9"),
    ],
)
def test_damaged_files_exit_1_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: object, words: str
) -> None:
    source = encrypted_file(tmp_path)
    source.write_bytes(damage(source.read_bytes()))  # type: ignore[operator]
    assert words in failed_decrypt(tmp_path, source, capsys)


def test_damaged_folder_leaves_no_partial_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["encrypt", *CHEAP, str(make_tree(tmp_path)), str(tmp_path / "enc")])
    victim = max(
        (p for p in (tmp_path / "enc").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size
    )
    victim.write_bytes(victim.read_bytes()[:-1])
    failed_decrypt(tmp_path, tmp_path / "enc", capsys)


def test_existing_output_is_a_usage_error(tmp_path: Path) -> None:
    source = encrypted_file(tmp_path)
    (tmp_path / "taken").write_text("keep me")
    assert main(["decrypt", str(source), str(tmp_path / "taken")]) == 2
    assert (tmp_path / "taken").read_text() == "keep me"


@pytest.mark.live
def test_the_console_script_runs_without_a_terminal(tmp_path: Path) -> None:
    source = encrypted_file(tmp_path, b"via a real process")
    env = {k: v for k, v in os.environ.items() if k != "SYNCOXIDE_PASSWORD"}
    command = [
        sys.executable,
        "-m",
        "syncoxide.cli.main",
        "decrypt",
        str(source),
        str(tmp_path / "plain"),
    ]
    refused = subprocess.run(
        command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2 and "--password-file" in refused.stderr
    done = subprocess.run(
        command,
        env={**env, "SYNCOXIDE_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plain").read_bytes() == b"via a real process"


def test_a_duplicated_entry_is_tampering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["encrypt", *CHEAP, str(make_tree(tmp_path)), str(tmp_path / "enc")])
    stored = next(p for p in (tmp_path / "enc").iterdir() if p.is_file() and "." not in p.name)
    from syncoxide.crypto import names

    long_form = names.long_name(stored.name)  # the same name again, as a long-name entry
    (tmp_path / "enc" / long_form).write_bytes(stored.read_bytes())
    (tmp_path / "enc" / (long_form + ".name")).write_text(stored.name)
    assert "same name" in failed_decrypt(tmp_path, tmp_path / "enc", capsys)


def test_disk_errors_become_clear_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = encrypted_file(tmp_path)
    # /proc refuses new files even to root: a real OSError from the disk layer.
    assert main(["decrypt", str(source), "/proc/syncoxide-cannot-write-here"]) == 1
    message = capsys.readouterr().err
    assert "Could not read or write" in message and "Nothing was written" in message


@pytest.mark.parametrize("folder", [False, True])
def test_change_password_rewraps_without_re_encrypting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: bool
) -> None:
    if folder:
        assert main(["encrypt", *CHEAP, str(make_tree(tmp_path)), str(tmp_path / "enc")]) == 0
        encrypted, vault_file = tmp_path / "enc", tmp_path / "enc" / VAULT_FILE
    else:
        encrypted = vault_file = encrypted_file(tmp_path)
    before = {p: p.read_bytes() for p in encrypted.rglob("*") if p.is_file()} if folder else {}
    body = vault_file.read_bytes()[100:]
    monkeypatch.setenv("SYNCOXIDE_NEW_PASSWORD", "a new one")
    assert main(["change-password", str(encrypted)]) == 0
    assert vault_file.read_bytes()[100:] == body  # only the 100-byte vault changed
    assert {p: b for p, b in before.items() if p != vault_file} == {
        p: p.read_bytes() for p in before if p != vault_file
    }
    assert main(["decrypt", str(encrypted), str(tmp_path / "old")]) == 1
    monkeypatch.setenv("SYNCOXIDE_PASSWORD", "a new one")
    assert main(["decrypt", str(encrypted), str(tmp_path / "new")]) == 0


def test_change_password_needs_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = encrypted_file(tmp_path)
    original = source.read_bytes()
    monkeypatch.setenv("SYNCOXIDE_PASSWORD", "guess")
    monkeypatch.setenv("SYNCOXIDE_NEW_PASSWORD", "mine now")
    assert main(["change-password", str(source)]) == 1
    assert "password is wrong" in capsys.readouterr().err
    assert source.read_bytes() == original


def test_symlinks_are_left_out_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_tree(tmp_path)
    (source / "link").symlink_to(source / "a.txt")
    assert main(["encrypt", *CHEAP, str(source), str(tmp_path / "enc")]) == 0
    assert "left out" in capsys.readouterr().err
    assert main(["decrypt", str(tmp_path / "enc"), str(tmp_path / "dec")]) == 0
    assert not (tmp_path / "dec" / "link").exists() and (tmp_path / "dec" / "a.txt").is_file()
