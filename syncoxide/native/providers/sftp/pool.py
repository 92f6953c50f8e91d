"""SSH connections to one server, each with its own SFTP session, opened as work demands.

An SFTP session's requests are answered one after another by the server process behind it,
and one SSH connection's bytes are encrypted by one process at each end: a tree of small files
goes up several times faster over a few connections, as rclone does. A new connection is opened
only when every open one is busy, so a quiet run keeps to one; if the server refuses another
(MaxStartups, a per-user limit), the ones it gave are used.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncssh


@dataclass
class _Member:
    connection: asyncssh.SSHClientConnection
    sftp: asyncssh.SFTPClient
    busy: int = 0


class SessionPool:
    def __init__(
        self,
        connect: Callable[[], Awaitable[tuple[asyncssh.SSHClientConnection, asyncssh.SFTPClient]]],
        most: int,
    ) -> None:
        self._connect = connect
        self._most = max(1, most)
        self._members: list[_Member] = []
        self._opening = asyncio.Lock()

    @property
    def size(self) -> int:
        return len(self._members)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[asyncssh.SFTPClient]:
        member = await self._least_busy()
        member.busy += 1
        try:
            yield member.sftp
        finally:
            member.busy -= 1

    async def _least_busy(self) -> _Member:
        async with self._opening:
            idle = min(self._members, key=lambda m: m.busy, default=None)
            if idle is not None and (idle.busy == 0 or len(self._members) >= self._most):
                return idle
            try:
                member = await self._open()
            except Exception:
                if idle is None:
                    raise  # not even one: the caller reports why
                self._most = len(self._members)  # the server allows no more: use these
                return idle
            self._members.append(member)
            return member

    async def _open(self) -> _Member:
        connection, sftp = await self._connect()
        return _Member(connection, sftp)

    async def aclose(self) -> None:
        members, self._members = self._members, []
        for member in members:
            member.sftp.exit()
            member.connection.close()
        for member in members:
            await member.connection.wait_closed()
