"""SFTP servers (OpenSSH and others) through asyncssh.

How it maps the contract:
- Writes stream into a hidden partial (``.sxpart-<random>``) beside the target, hashing the
  bytes locally as they go (no remote command per file), set the mtime on the open handle,
  check the source digest, then take the final name with ``posix-rename`` (OpenSSH's atomic
  replace). Any failure removes the partial; a crash leaves one that listing reports as PARTIAL.
- OpenSSH speaks SFTP v3: mtimes are whole seconds, and there is no server-side hashing, so
  ``hash`` reads the file.
- Symbolic links are reported, never followed (READDIR and LSTAT do not follow them).
"""

from __future__ import annotations

import asyncio
import os
import posixpath
import stat as stat_flags
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from syncoxide.errors import AlreadyExistsError, DirectoryNotEmptyError, NotFoundError, UsageError
from syncoxide.native.net.address_guard import AddressGuard
from syncoxide.native.providers.digests import StreamDigests, verify_expected
from syncoxide.native.providers.sftp.batching import BatchingConnector
from syncoxide.native.providers.sftp.errors import connecting, translated
from syncoxide.native.providers.sftp.pool import SessionPool
from syncoxide.providers.contract import (
    PARTIAL_PREFIX,
    Entry,
    EntryKind,
    ExpectedDigest,
    Features,
    PrunePredicate,
)

_CHUNK = 256 * 1024
_WRITE_AHEAD = 8 * 1024 * 1024
# AES-GCM before asyncssh's default chacha20-poly1305, which it runs one small cipher object
# per packet in Python: a third of the CPU of a big upload. The rest stay for older servers.
_CIPHERS_FIRST = sorted(
    (name.decode() for name in asyncssh.encryption.get_default_encryption_algs()),
    key=lambda name: not name.startswith("aes128-gcm"),
)


@dataclass(frozen=True)
class SftpSettings:
    host: str
    username: str
    root: str  # the remote folder; relative paths start in the user's home
    port: int = 22
    password: str | None = field(default=None, repr=False)
    private_key: str | None = None  # path of a key file
    known_hosts: str | None = None  # path; None: the user's ~/.ssh/known_hosts
    connect_timeout: float = 15.0
    #: SSH connections (each with one SFTP session) opened when the open ones are all busy.
    connections: int = 8
    #: The key itself (OpenSSH or PEM text) and known_hosts lines, for a server that keeps
    #: them for its users instead of reading files.
    private_key_data: str | None = field(default=None, repr=False)
    known_hosts_data: str | None = None
    #: False: never use this machine's own ~/.ssh keys or agent (a server acting for users).
    local_keys: bool = True


class SftpProvider:
    """One remote folder over SFTP as a sync root. Close with ``aclose``."""

    def __init__(self, settings: SftpSettings) -> None:
        self._settings = settings
        self._address = f"{settings.host}:{settings.port}"
        self._root = settings.root.rstrip("/") or "/"
        self._pool = SessionPool(self._connect, settings.connections)
        self._known_folders: set[str] = {""}
        self._guard: AddressGuard | None = None
        self._features = Features(
            case_sensitive=True,
            mtime_precision_ns=10**9,
            server_side_copy=False,
            server_side_move=True,
            hash_kinds=frozenset({"sha1", "md5"}),
        )

    async def __aenter__(self) -> SftpProvider:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    def guard_addresses(self, guard: AddressGuard) -> None:
        self._guard = guard

    async def aclose(self) -> None:
        await self._pool.aclose()

    async def _connect(self) -> tuple[asyncssh.SSHClientConnection, asyncssh.SFTPClient]:
        s = self._settings
        host, options = s.host, self._login_options()
        if self._guard is not None:
            # Connect to the checked address; the name still picks the known host key.
            host = (await self._guard.addresses(s.host, s.port))[0]
            options["host_key_alias"] = s.host
        with connecting(self._address):
            connection = await asyncio.wait_for(
                asyncssh.connect(host, port=s.port, tunnel=BatchingConnector(), **options),
                s.connect_timeout,
            )
            try:
                return connection, await connection.start_sftp_client()
            except BaseException:
                connection.close()
                raise

    @asynccontextmanager
    async def _session(self, where: str) -> AsyncIterator[asyncssh.SFTPClient]:
        """A pooled SFTP session; SFTP errors inside come out as syncoxide errors."""
        async with self._pool.session() as sftp:
            with translated(where, self._address):
                yield sftp

    def _login_options(self) -> dict[str, Any]:
        """Only what the remote sets: asyncssh's defaults (~/.ssh keys, the agent and, above
        all, ~/.ssh/known_hosts) stay in force; host keys are never left unchecked."""
        s = self._settings
        options: dict[str, Any] = {"username": s.username, "encryption_algs": _CIPHERS_FIRST}
        if s.password is not None:
            options["password"] = s.password
        if s.private_key_data:
            options["client_keys"] = [_imported(asyncssh.import_private_key, s.private_key_data)]
            options["agent_path"] = None
        elif s.private_key:
            options["client_keys"] = [s.private_key]
            options["agent_path"] = None  # the configured key only, as with ssh -i + IdentitiesOnly
        elif not s.local_keys:
            options["client_keys"], options["agent_path"] = [], None  # password only
        if s.known_hosts_data:
            options["known_hosts"] = _imported(asyncssh.import_known_hosts, s.known_hosts_data)
        elif s.known_hosts:
            options["known_hosts"] = s.known_hosts
        return options

    def _full(self, path: str) -> str:
        if path.startswith("/") or any(p in ("", ".", "..") for p in path.split("/") if path):
            raise UsageError(f"{path!r} is not a path inside the sync root.")
        return posixpath.join(self._root, path) if path else self._root

    async def _entry(self, path: str, attrs: asyncssh.SFTPAttrs) -> Entry:
        mode = attrs.permissions or 0
        if stat_flags.S_ISLNK(mode):
            async with self._session(path) as sftp:
                target = await sftp.readlink(self._full(path))
            return Entry(path, EntryKind.SYMLINK, link_target=str(target))
        if stat_flags.S_ISDIR(mode):
            return Entry(path, EntryKind.DIR)
        name = path.rpartition("/")[2]
        kind = EntryKind.PARTIAL if name.startswith(PARTIAL_PREFIX) else EntryKind.FILE
        return Entry(path, kind, attrs.size or 0, (attrs.mtime or 0) * 10**9)

    # -- the contract ------------------------------------------------------------------
    @property
    def features(self) -> Features:
        return self._features

    @property
    def root_id(self) -> str:
        return f"sftp:{self._settings.username}@{self._address}{self._root}"

    async def list_tree(self, prune: PrunePredicate | None = None) -> AsyncIterator[list[Entry]]:
        pending = [""]
        while pending:
            folder = pending.pop()
            page: list[Entry] = []
            async with self._session(folder or "/") as sftp:
                names = await sftp.readdir(self._full(folder))
            for name in names:
                filename = str(name.filename)  # str: the client decodes names as UTF-8
                if filename in (".", ".."):
                    continue
                path = f"{folder}/{filename}" if folder else filename
                entry = await self._entry(path, name.attrs)
                if entry.kind is EntryKind.DIR:
                    if prune is not None and prune(path):
                        continue
                    pending.append(path)
                    self._known_folders.add(path)
                page.append(entry)
            if page:
                yield page

    async def stat(self, path: str) -> Entry:
        async with self._session(path) as sftp:
            attrs = await sftp.lstat(self._full(path))
        return await self._entry(path, attrs)

    async def open_read(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        remaining = -1 if length is None else length
        async with self._session(path) as sftp, sftp.open(self._full(path), "rb") as handle:
            while remaining != 0:
                size = _CHUNK if remaining < 0 else min(_CHUNK, remaining)
                block = await handle.read(size, offset)
                if not isinstance(block, bytes) or not block:
                    return
                offset += len(block)
                remaining = remaining - len(block) if remaining > 0 else remaining
                yield block

    async def write(
        self,
        path: str,
        chunks: AsyncIterator[bytes],
        *,
        mtime_ns: int | None = None,
        hash_kind: str | None = None,
        expected_digest: ExpectedDigest | None = None,
    ) -> Entry:
        kind = hash_kind or "sha1"
        final = self._full(path)
        mtime = time.time_ns() if mtime_ns is None else mtime_ns
        await self.mkdir(path.rpartition("/")[0])
        partial = posixpath.join(posixpath.dirname(final), PARTIAL_PREFIX + os.urandom(8).hex())
        digests = StreamDigests(kind)
        async with self._pool.session() as sftp:
            try:
                with translated(path, self._address):
                    handle = await sftp.open(partial, "wb")
                    try:
                        await _write_ahead(handle, chunks, digests)
                        verify_expected(expected_digest, digests, kind, path)
                    except BaseException:
                        await asyncio.shield(handle.close())
                        raise
                    await _finish(sftp, handle, mtime // 10**9, (partial, final))
            except BaseException:
                await asyncio.shield(self._discard(sftp, partial))
                raise
        stored = mtime - mtime % 10**9  # what SFTP v3 keeps
        return Entry(path, EntryKind.FILE, digests.size, stored, digests.hashes(kind))

    @staticmethod
    async def _discard(sftp: asyncssh.SFTPClient, partial: str) -> None:
        with suppress(Exception):
            await sftp.remove(partial)

    async def delete(self, path: str) -> None:
        entry = await self.stat(path)
        async with self._session(path) as sftp:
            if entry.kind is not EntryKind.DIR:
                await sftp.remove(self._full(path))
                return
            # SFTP v3 reports a non-empty folder as a bare failure: look first.
            if [n for n in await sftp.listdir(self._full(path)) if n not in (".", "..")]:
                raise DirectoryNotEmptyError(f"SFTP: folder {path!r} is not empty.")
            await sftp.rmdir(self._full(path))
        self._known_folders.discard(path)

    async def mkdir(self, path: str) -> None:
        if path in self._known_folders:
            return
        parent = path.rpartition("/")[0]
        try:
            async with self._session(path) as sftp:
                if parent not in self._known_folders:
                    await sftp.makedirs(self._full(path), exist_ok=True)
                else:  # one request, where makedirs stats every folder from the server's root
                    try:
                        await sftp.mkdir(self._full(path))
                    except (asyncssh.SFTPFailure, asyncssh.SFTPFileAlreadyExists):
                        await sftp.makedirs(self._full(path), exist_ok=True)  # there already?
        except Exception:
            if (await self.stat(path)).kind is not EntryKind.DIR:
                raise AlreadyExistsError(f"SFTP: {path!r} exists and is not a folder.") from None
            raise
        self._known_folders.add(path)

    async def move(self, source: str, target: str) -> None:
        try:
            await self.stat(target)
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"SFTP: {target!r} already exists.")
        await self.mkdir(target.rpartition("/")[0])
        async with self._session(source) as sftp:
            # Plain SFTP rename refuses an existing target, so a race cannot overwrite either.
            await sftp.rename(self._full(source), self._full(target))
        self._known_folders = {
            f for f in self._known_folders if f != source and not f.startswith(source + "/")
        }

    async def set_mtime(self, path: str, mtime_ns: int) -> None:
        seconds = mtime_ns // 10**9
        async with self._session(path) as sftp:
            await sftp.utime(self._full(path), (seconds, seconds), follow_symlinks=False)

    async def hash(self, path: str, kind: str) -> str:
        digests = StreamDigests(kind)
        async for block in self.open_read(path):
            await digests.update(block)
        return digests.hexdigest(kind)


async def _write_ahead(
    handle: asyncssh.SFTPClientFile, chunks: AsyncIterator[bytes], digests: StreamDigests
) -> None:
    """Writes each block at its offset without waiting for the one before (up to
    ``_WRITE_AHEAD`` bytes unanswered): waiting for every reply left the connection idle
    for a round trip per block, half the time of a big file."""
    in_flight: dict[asyncio.Future[Any], int] = {}
    offset = 0
    try:
        async for block in chunks:
            await digests.update(block)
            in_flight[asyncio.ensure_future(handle.write(block, offset))] = len(block)
            offset += len(block)
            while sum(in_flight.values()) > _WRITE_AHEAD:
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for finished in done:
                    del in_flight[finished]
                    finished.result()  # a failed write stops the copy here
        await asyncio.gather(*in_flight)
        in_flight.clear()
    finally:
        for unfinished in in_flight:
            unfinished.cancel()


async def _finish(
    sftp: asyncssh.SFTPClient, handle: asyncssh.SFTPClientFile, seconds: int, names: tuple[str, str]
) -> None:
    """Sets the mtime, closes and takes the final name in one round trip: the server answers
    one session's requests in order, so sending them together keeps their order while the
    connection does not sit idle three times per file (a tree of small files is mostly this).
    Every byte was written and acknowledged before, so the rename publishes a whole file."""
    partial, final = names
    steps = (handle.utime((seconds, seconds)), handle.close(), sftp.posix_rename(partial, final))
    results = await asyncio.gather(*steps, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


def _imported(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except (asyncssh.KeyImportError, ValueError) as error:
        raise UsageError(
            f"SFTP: {error}.", hint="Paste the whole key or known_hosts lines."
        ) from error
