"""The encrypted provider: conformance over memory and local disk, and the CLI's folder layout."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from syncoxide.crypto.backend import Argon2Params
from syncoxide.crypto.keys import SecretBytes
from syncoxide.errors import UsageError, WrongPasswordError
from syncoxide.native.crypto.backend import CryptographyBackend
from syncoxide.native.providers.local.provider import LocalProvider
from syncoxide.providers.contract import EntryKind, Provider, chunks_of
from syncoxide.providers.encrypted import VAULT_FILE, EncryptedProvider, open_encrypted
from syncoxide.providers.memory import MemoryProvider
from syncoxide.system import SystemRandom
from syncoxide.testing.provider_conformance import CHECKS, check_listed_files_are_whole
from tests.conftest import PROJECT_ROOT

FAST = Argon2Params(memory_kib=1024, iterations=1)  # key stretching is not what is tested here
PASSWORD = SecretBytes(b"a long and careful passphrase")


async def over(inner: Provider) -> EncryptedProvider:
    return await open_encrypted(inner, CryptographyBackend(), PASSWORD, SystemRandom(), params=FAST)


async def read(provider: Provider, path: str, offset: int = 0, length: int | None = None) -> bytes:
    return b"".join([c async for c in provider.open_read(path, offset, length)])


async def tree(provider: Provider) -> dict[str, int]:
    return {e.path: e.size async for page in provider.list_tree() for e in page}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_conforms_over_memory(check) -> None:
    async def make() -> Provider:
        return await over(MemoryProvider(page_size=3))

    asyncio.run(check(make))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_conforms_over_local_disk(check, tmp_path: Path) -> None:
    counter = iter(range(1000))

    async def make() -> Provider:
        root = tmp_path / f"r{next(counter)}"
        root.mkdir()
        return await over(LocalProvider(root))

    asyncio.run(check(make))


def test_says_whether_files_are_listed_whole_as_its_inner_provider_does() -> None:
    whole = MemoryProvider()
    whole.pretend(lists_whole_files=True)

    async def make() -> Provider:
        return await over(whole)

    async def flags() -> list[bool]:
        from syncoxide.providers.encrypted import PasswordFolder

        folder = PasswordFolder(whole, CryptographyBackend(), PASSWORD, SystemRandom(), params=FAST)
        plain = await over(MemoryProvider())
        return [(await make()).features.lists_whole_files, folder.features.lists_whole_files,
                plain.features.lists_whole_files]  # fmt: skip

    assert asyncio.run(flags()) == [True, True, False]
    asyncio.run(check_listed_files_are_whole(make))


def test_nothing_readable_reaches_the_wrapped_provider(tmp_path: Path) -> None:
    async def scenario() -> None:
        inner = MemoryProvider()
        outer = await over(inner)
        await outer.write("Secret Plans/budget 2027.xlsx", chunks_of(b"the numbers" * 1000))
        stored = inner.snapshot()
        assert VAULT_FILE in stored
        assert not any("Secret" in p or "budget" in p for p in stored)
        assert not any(b"the numbers" in content for content in stored.values())
        assert await tree(outer) == {"Secret Plans": 0, "Secret Plans/budget 2027.xlsx": 11000}

    asyncio.run(scenario())


def test_ranges_cross_chunk_boundaries(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1024  # 256 KiB: four chunks

    async def scenario() -> None:
        outer = await over(MemoryProvider())
        await outer.write("f", chunks_of(data[:1000], data[1000:]))
        for offset, length in [(0, 10), (65530, 20), (65536, 65536), (200_000, None), (0, None)]:
            end = None if length is None else offset + length
            assert await read(outer, "f", offset, length) == data[offset:end], (offset, length)

    asyncio.run(scenario())


def test_long_names_use_sidecars_and_come_back(tmp_path: Path) -> None:
    name = "a very long file name " * 9 + ".txt"

    async def scenario() -> None:
        inner = LocalProvider(tmp_path)
        outer = await over(inner)
        await outer.write(f"folder/{name}", chunks_of(b"x"))
        assert sorted(await tree(outer)) == ["folder", f"folder/{name}"]
        stored = [p.name for p in tmp_path.rglob("*")]
        assert any(n.endswith(".name") for n in stored) and any(
            n.startswith("sxl.") for n in stored
        )
        await outer.move(f"folder/{name}", "other/short.txt")
        assert sorted(await tree(outer)) == ["folder", "other", "other/short.txt"]
        assert not [n for n in (p.name for p in tmp_path.rglob("*")) if n.endswith(".name")]

    asyncio.run(scenario())


def test_moving_a_folder_reencrypts_the_names_beneath(tmp_path: Path) -> None:
    async def scenario() -> None:
        outer = await over(MemoryProvider())
        await outer.write("a/b/c.txt", chunks_of(b"c"))
        await outer.write("a/d.txt", chunks_of(b"d"))
        await outer.move("a", "z/a2")
        assert sorted(await tree(outer)) == ["z", "z/a2", "z/a2/b", "z/a2/b/c.txt", "z/a2/d.txt"]
        assert await read(outer, "z/a2/b/c.txt") == b"c"

    asyncio.run(scenario())


def test_foreign_files_are_skipped_and_reported() -> None:
    async def scenario() -> None:
        inner = MemoryProvider()
        outer = await over(inner)
        await outer.write("mine.txt", chunks_of(b"ok"))
        inner.put("not-ours.txt", b"dropped here by someone")
        assert list(await tree(outer)) == ["mine.txt"]
        assert [s.inner_path for s in outer.skipped] == ["not-ours.txt"]

    asyncio.run(scenario())


def test_wrong_password_and_a_non_empty_plain_folder_are_refused() -> None:
    async def scenario() -> None:
        inner = MemoryProvider()
        await over(inner)
        with pytest.raises(WrongPasswordError):
            await open_encrypted(
                inner, CryptographyBackend(), SecretBytes(b"nope"), SystemRandom(), params=FAST
            )
        plain = MemoryProvider()
        plain.put("holiday.jpg", b"jpeg")
        with pytest.raises(UsageError, match="not an encrypted folder"):
            await over(plain)

    asyncio.run(scenario())


@pytest.mark.live
def test_the_cli_decrypts_what_the_provider_wrote_and_vice_versa(tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_bytes(PASSWORD.reveal())
    remote = tmp_path / "remote"
    remote.mkdir()

    async def write_through_provider() -> None:
        outer = await over(LocalProvider(remote))
        await outer.write("docs/é.txt", chunks_of(b"accent"))
        await outer.write("top.bin", chunks_of(bytes(200_000)))
        await outer.mkdir("empty")

    asyncio.run(write_through_provider())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "decrypt",
            "--password-file",
            str(password_file),
            str(remote),
            str(tmp_path / "plain"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plain" / "docs" / "é.txt").read_bytes() == b"accent"
    assert (tmp_path / "plain" / "top.bin").read_bytes() == bytes(200_000)
    assert (tmp_path / "plain" / "empty").is_dir()

    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "n.txt").write_text("from the cli")
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "syncoxide.cli.main",
            "encrypt",
            "--password-file",
            str(password_file),
            str(source),
            str(tmp_path / "cli-made"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr

    async def read_cli_folder() -> None:
        outer = await over(LocalProvider(tmp_path / "cli-made"))
        assert await read(outer, "sub/n.txt") == b"from the cli"
        entry = await outer.stat("sub/n.txt")
        assert entry.kind is EntryKind.FILE and entry.size == len("from the cli")

    asyncio.run(read_cli_folder())


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_password_folder_unlocks_on_first_use_and_conforms(check) -> None:
    from syncoxide.providers.encrypted import PasswordFolder

    async def make() -> Provider:
        return PasswordFolder(
            MemoryProvider(), CryptographyBackend(), PASSWORD, SystemRandom(), params=FAST
        )

    asyncio.run(check(make))


@pytest.mark.live  # the CLI, run as a user runs it
def test_sync_into_a_crypt_remote_and_back(tmp_path: Path) -> None:
    from tests.native.providers.test_remotes import cli

    config, source, vault_dir = tmp_path / "config", tmp_path / "source", tmp_path / "vault"
    (source / "Taxes").mkdir(parents=True)
    (source / "Taxes" / "2026 return.pdf").write_bytes(b"%PDF numbers")
    vault_dir.mkdir()
    added = cli(
        config,
        "remote",
        "add",
        "secret",
        "crypt",
        f"remote={vault_dir}",
        f"password={PASSWORD.reveal().decode()}",
    )
    assert added.returncode == 0, added.stderr
    state = ["--state-dir", str(tmp_path / "state")]
    up = cli(config, "sync", str(source), "secret:", *state)
    assert up.returncode == 0, up.stderr
    stored = [p.name for p in vault_dir.rglob("*")]
    assert "syncoxide.vault" in stored and not any("Taxes" in n or "return" in n for n in stored)
    (tmp_path / "back").mkdir()
    down = cli(config, "sync", "secret:", str(tmp_path / "back"), *state)
    assert down.returncode == 0, down.stderr
    assert (tmp_path / "back" / "Taxes" / "2026 return.pdf").read_bytes() == b"%PDF numbers"
    (tmp_path / "pw").write_bytes(PASSWORD.reveal())
    opened = cli(
        config,
        "decrypt",
        "--password-file",
        str(tmp_path / "pw"),
        str(vault_dir),
        str(tmp_path / "plain"),
    )
    assert opened.returncode == 0, opened.stderr
    assert (tmp_path / "plain" / "Taxes" / "2026 return.pdf").read_bytes() == b"%PDF numbers"

    cli(config, "remote", "add", "wrong", "crypt", f"remote={vault_dir}", "password=not it")
    refused = cli(config, "sync", "wrong:", str(tmp_path / "back"), *state)
    assert refused.returncode != 0 and "password is wrong" in refused.stderr
