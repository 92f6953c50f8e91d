"""The SFTP provider against Debian's OpenSSH sshd, run with a throwaway config and keys."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator

import pytest

from syncoxide.errors import AuthenticationError, ProviderUnavailableError
from syncoxide.native.providers.sftp.provider import SftpProvider, SftpSettings
from syncoxide.providers.contract import EntryKind
from syncoxide.testing.provider_conformance import CHECKS
from tests.native.providers.server_processes import free_port, with_closing_providers
from tests.servers import SshServer

_roots = itertools.count()


def _settings(server: SshServer, **changes: object) -> SftpSettings:
    root = server.home / f"root{next(_roots)}"
    root.mkdir()
    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": server.username,
        "root": str(root),
        "private_key": str(server.client_key),
        "known_hosts": str(server.known_hosts),
        **changes,
    }
    return SftpSettings(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_sftp_provider_conforms(check, sshd_server: SshServer) -> None:
    asyncio.run(with_closing_providers(lambda: SftpProvider(_settings(sshd_server)), check))


def test_symlinks_are_reported_not_followed(sshd_server: SshServer) -> None:
    settings = _settings(sshd_server)
    os.symlink("/etc", os.path.join(settings.root, "outside"))

    async def run() -> None:
        async with SftpProvider(settings) as provider:
            tree = {e.path: e async for page in provider.list_tree() for e in page}
            assert tree["outside"].kind is EntryKind.SYMLINK
            assert tree["outside"].link_target == "/etc"
            assert not [path for path in tree if path.startswith("outside/")]

    asyncio.run(run())


def test_unknown_key_is_an_authentication_error(sshd_server: SshServer) -> None:
    async def run() -> None:
        settings = _settings(sshd_server, private_key=str(sshd_server.stranger_key))
        async with SftpProvider(settings) as provider:
            with pytest.raises(AuthenticationError, match="rejected the login"):
                await provider.stat("x")

    asyncio.run(run())


def test_untrusted_host_key_is_refused(sshd_server: SshServer, tmp_path) -> None:
    other = tmp_path / "known_hosts"
    stranger = sshd_server.stranger_key.with_suffix(".pub").read_text().split()[:2]
    other.write_text(f"[127.0.0.1]:{sshd_server.port} {' '.join(stranger)}\n")

    async def run() -> None:
        async with SftpProvider(_settings(sshd_server, known_hosts=str(other))) as provider:
            with pytest.raises(AuthenticationError, match="not trusted"):
                await provider.stat("x")

    asyncio.run(run())


def test_unreachable_server_is_retryable(sshd_server: SshServer) -> None:
    async def run() -> None:
        settings = _settings(sshd_server, port=free_port(), connect_timeout=3.0)
        async with SftpProvider(settings) as provider:
            with pytest.raises(ProviderUnavailableError, match="Could not reach") as caught:
                await provider.stat("x")
            assert caught.value.retryable

    asyncio.run(run())


def test_connections_open_only_while_all_are_busy(sshd_server: SshServer) -> None:
    settings = _settings(sshd_server, connections=3)

    async def body(i: int) -> AsyncIterator[bytes]:
        await asyncio.sleep(0.05)  # keeps each write busy long enough to overlap
        yield f"file {i}".encode()

    async def run() -> None:
        async with SftpProvider(settings) as provider:
            for i in range(3):  # one after another: one connection serves them all
                await provider.write(f"one{i}.txt", body(i), mtime_ns=10**18)
            assert provider._pool.size == 1
            await asyncio.gather(
                *(provider.write(f"f{i}.txt", body(i), mtime_ns=10**18) for i in range(24))
            )
            assert provider._pool.size == 3
            files = {e.path async for page in provider.list_tree() for e in page}
            assert files == {f"f{i}.txt" for i in range(24)} | {f"one{i}.txt" for i in range(3)}

    asyncio.run(run())


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_big_file_written_ahead_arrives_whole_and_in_order(
    sshd_server: SshServer, loop: str
) -> None:
    """Also on uvloop, the loop `syncoxide sync` runs on, whose transports differ."""
    import hashlib

    from syncoxide.native import event_loop

    settings = _settings(sshd_server)
    data = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(700_000))  # 22 MB

    async def blocks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 1 << 20):
            yield data[start : start + (1 << 20)]

    async def run() -> None:
        async with SftpProvider(settings) as provider:
            written = await provider.write("big.bin", blocks(), mtime_ns=10**18, hash_kind="sha1")
            assert written.hashes["sha1"] == hashlib.sha1(data).hexdigest()
            names = [f"small{n}.txt" for n in range(40)]
            await asyncio.gather(*(provider.write(n, blocks_of(n.encode())) for n in names))
            for name in names:
                assert b"".join([b async for b in provider.open_read(name)]) == name.encode()
        stored = (sshd_server.home / settings.root / "big.bin").read_bytes()
        assert stored == data

    async def blocks_of(content: bytes) -> AsyncIterator[bytes]:
        yield content

    (event_loop.run if loop == "uvloop" else asyncio.run)(asyncio.wait_for(run(), 120))
