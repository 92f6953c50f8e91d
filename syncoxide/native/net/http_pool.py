"""A small HTTP/1.1 client on asyncio streams, for one endpoint: the S3 lean requests' transport.

Why our own: the lean requests (``providers/s3/lean*.py``) need little of HTTP, and aiohttp,
which sent them before, is about 150 modules (its own, attrs, yarl, multidict, email,
http.cookies, urllib.request...) that every S3 sync imported before its first request: about
40% of a small sync's start-up CPU (bench/cli_startup.py --s3). This module imports nothing
asyncio has not imported already (``ssl`` included). botocore, for the unusual replies,
still brings aiohttp with it when it is needed.

How it works: ``HttpPool.request`` takes a kept-alive connection (or opens one, at most
``limit`` in use at once, to the addresses ``resolve`` gives, checked ones when an address
guard is in use), writes the request head and body (a large body in ``SEND_SLICE`` views,
waiting for the socket to drain after each, so nothing is copied), reads the status line and
headers, and returns an ``HttpReply`` whose body is read with ``read`` or ``chunks``.
Replies are framed by Content-Length, the chunked transfer coding or the connection's close.
``release`` gives the connection back when the body was read to its end and the server keeps
it open, else closes it. A request whose kept-alive connection the server had closed
meanwhile (it failed before a byte of the reply came) is sent once more on a new connection.
Not handled, by design: redirects, cookies, compression, proxies, ``Expect: 100-continue``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

from syncoxide.errors import ConfigError

#: One write to the socket while a body is sent (see ``_Connection.send``).
SEND_SLICE = 1024 * 1024
#: A body smaller than this goes out in one write with the head.
_JOINED_BODY = 64 * 1024
_READ_SIZE = 64 * 1024
_NO_BODY_STATUS = frozenset({204, 304})

Resolve = Callable[[str, int], Awaitable[list[str]]]
Body = bytes | bytearray | memoryview
T = TypeVar("T")


class HttpError(ConnectionError):
    """The connection failed, timed out or broke off, or the reply was not HTTP/1.1."""


class _Connection:
    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self.reader, self.writer, self.timeout = reader, writer, timeout

    async def send(self, head: bytes, body: Body) -> None:
        """Why slices: a whole 32 MiB part given to the transport at once was kept in its
        buffer (a copy) for as long as the kernel had not taken it; a slice at a time, each
        drained, copies nothing."""
        if len(body) < _JOINED_BODY:
            self.writer.write(head + bytes(body))
        else:
            self.writer.write(head)
            view = memoryview(body)
            for start in range(0, len(view), SEND_SLICE):
                self.writer.write(view[start : start + SEND_SLICE])
                await self.timed(self.writer.drain())
        await self.timed(self.writer.drain())

    async def timed(self, waiting: Awaitable[T]) -> T:
        """``waiting``, given at most the read timeout."""
        try:
            async with asyncio.timeout(self.timeout):
                return await waiting
        except asyncio.LimitOverrunError as error:
            raise HttpError("a reply's head or chunk line is too long") from error

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class HttpReply:
    """A reply's status and headers (names in lower case; repeated ones joined by ", "),
    its body still to read. Release it (or leave its ``async with``) when done."""

    def __init__(
        self,
        connection: _Connection,
        head: tuple[int, dict[str, str]],
        *,
        has_body: bool,
        give_back: Callable[[_Connection, bool], None],
    ) -> None:
        self.status, self.headers = head
        self._connection, self._has_body, self._give_back = connection, has_body, give_back
        self._complete = False  # the whole body was read
        self._released = False

    async def __aenter__(self) -> HttpReply:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])

    async def chunks(self, size: int = _READ_SIZE) -> AsyncIterator[bytes]:
        """The body in blocks of at most ``size`` bytes."""
        try:
            async for chunk in self._framed(size):
                yield chunk
        except (OSError, EOFError) as error:  # TimeoutError, the socket's, a cut-off read
            raise HttpError(f"the reply's body broke off: {error!r}") from error
        self._complete = True

    def release(self) -> None:
        """Gives the connection back (kept alive when the body was read to its end), or
        closes it; then the pool may use its place for another request."""
        if not self._released:
            self._released = True
            self._give_back(self._connection, self._complete and not self._closing())

    def _closing(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"

    def _framed(self, size: int) -> AsyncIterator[bytes]:
        if not self._has_body:
            return _nothing()
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._chunked(size)
        if "content-length" in self.headers:
            return self._counted(int(self.headers["content-length"]), size)
        self.headers["connection"] = "close"  # the body ends where the connection does
        return self._to_the_end(size)

    async def _counted(self, length: int, size: int) -> AsyncIterator[bytes]:
        while length > 0:
            block = await self._connection.timed(self._connection.reader.read(min(size, length)))
            if not block:
                raise HttpError(f"the reply's body ended {length} bytes early")
            length -= len(block)
            yield block

    async def _chunked(self, size: int) -> AsyncIterator[bytes]:
        reader, timed = self._connection.reader, self._connection.timed
        while True:
            line = await timed(reader.readuntil(b"\r\n"))
            try:
                length = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise HttpError(f"a chunk's size is not hexadecimal: {line!r}") from None
            if length == 0:
                while await timed(reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers: none is used
                return
            async for block in self._counted(length, size):
                yield block
            if await timed(reader.readexactly(2)) != b"\r\n":
                raise HttpError("a chunk does not end with CRLF")

    async def _to_the_end(self, size: int) -> AsyncIterator[bytes]:
        while block := await self._connection.timed(self._connection.reader.read(size)):
            yield block


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator


class HttpPool:
    """Requests to the endpoint ``base`` (``http(s)://host[:port]``, a path in it ignored).

    ``resolve`` gives the addresses to connect to (by default the host name itself, looked up
    by the system); ``tls`` is the context for an https endpoint (by default one made at the
    first connection, in a thread: loading the CA certificates reads files for ~0.1 s).
    """

    def __init__(
        self,
        base: str,
        *,
        limit: int,
        timeouts: tuple[float, float],
        resolve: Resolve | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        url = urlsplit(base)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                f"The endpoint {base!r} is not an http:// or https:// address.",
                hint="Nothing was changed. Write it with its scheme: http://host:port.",
            )
        self._https = url.scheme == "https"
        self._host, self._netloc = url.hostname, url.netloc
        self._port = url.port or (443 if self._https else 80)
        self._connect_timeout, self._read_timeout = timeouts
        self._resolve, self._tls = resolve, tls
        self._slots = asyncio.Semaphore(limit)
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def request(
        self, method: str, target: str, *, headers: Mapping[str, str], body: Body = b""
    ) -> HttpReply:
        """Sends ``method target`` (the path and query, as signed) with ``headers`` (Host and
        Content-Length are added) and ``body``; the reply once its head is read."""
        head = self._head(method, target, headers, body)
        await self._slots.acquire()
        try:
            return await self._exchange(method, head, body)
        except BaseException:
            self._slots.release()
            raise

    async def close(self) -> None:
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    async def __aenter__(self) -> HttpPool:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _head(self, method: str, target: str, headers: Mapping[str, str], body: Body) -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"host: {self._netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if (body or method in ("PUT", "POST")) and not _has(headers, "content-length"):
            lines.append(f"content-length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def _exchange(self, method: str, head: bytes, body: Body) -> HttpReply:
        while True:
            connection, reused = await self._connection()
            try:
                await connection.send(head, body)
                status, headers = await self._reply_head(connection)
            except (OSError, EOFError, HttpError) as error:
                self._discard(connection)
                if reused and _closed_while_idle(error):
                    continue  # the server had closed it while it waited: once more, on a new one
                if isinstance(error, HttpError):
                    raise
                raise HttpError(f"{self._netloc}: {error!r}") from error
            return HttpReply(
                connection,
                (status, headers),
                has_body=method != "HEAD" and status not in _NO_BODY_STATUS,
                give_back=self._give_back,
            )

    async def _reply_head(self, connection: _Connection) -> tuple[int, dict[str, str]]:
        while True:
            raw = await connection.timed(connection.reader.readuntil(b"\r\n\r\n"))
            lines = raw[:-4].decode("latin-1").split("\r\n")
            version, _, rest = lines[0].partition(" ")
            if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
                raise HttpError(f"not an HTTP/1.x reply: {lines[0][:80]!r}")
            status = int(rest[:3])
            if 100 <= status < 200:
                continue  # an interim reply (100 Continue): the real one follows
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if not colon:
                    raise HttpError(f"a header line without a colon: {line[:80]!r}")
                key, value = name.strip().lower(), value.strip()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            if version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
                headers["connection"] = "close"
            return status, headers

    async def _connection(self) -> tuple[_Connection, bool]:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable():
                return connection, True
            self._discard(connection)
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        if self._https and self._tls is None:
            self._tls = await asyncio.to_thread(ssl.create_default_context)
        addresses = await self._resolve(self._host, self._port) if self._resolve else [self._host]
        failure: OSError | None = None
        for address in addresses:
            try:
                async with asyncio.timeout(self._connect_timeout):
                    reader, writer = await asyncio.open_connection(
                        address,
                        self._port,
                        ssl=self._tls if self._https else None,
                        server_hostname=self._host if self._https else None,
                    )
            except OSError as error:  # TimeoutError included
                failure = error
                continue
            connection = _Connection(reader, writer, self._read_timeout)
            self._open.add(connection)
            return connection
        raise HttpError(f"could not connect to {self._netloc}: {failure!r}") from failure

    def _give_back(self, connection: _Connection, reusable: bool) -> None:
        if reusable:
            self._idle.append(connection)
        else:
            self._discard(connection)
        self._slots.release()

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)


def _closed_while_idle(error: BaseException) -> bool:
    """Whether a kept-alive connection failed as one the server closed does: the request
    cannot have been read, so it is safe to send again."""
    if isinstance(error, asyncio.IncompleteReadError):
        return not error.partial
    return isinstance(error, (ConnectionResetError, BrokenPipeError))


def _has(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)
