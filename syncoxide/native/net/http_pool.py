"""A small HTTP/1.1 client on asyncio streams, for one endpoint: the S3 lean requests' transport.

Why not aiohttp: the lean requests (``providers/s3/lean*.py``) need little of HTTP, and
aiohttp, which sent them before, is about 150 modules (its own, attrs, yarl, multidict, email,
http.cookies, urllib.request...) that every S3 sync imported before its first request: about
40% of a small sync's start-up CPU (bench/cli_startup.py --s3). Why h11 for the protocol: it
is the sans-IO HTTP/1.1 state machine (request framing, status line and headers, Content-Length,
chunked coding, read-to-the-close, HEAD/204/304/1xx, keep-alive) in 11 small modules that
import nothing else of note, so no framing is hand-written here. botocore, for the unusual
replies, still brings aiohttp with it when it is needed.

How it works: ``HttpPool.request`` takes a kept-alive connection (or opens one, at most
``limit`` in use at once, to the addresses ``resolve`` gives, checked ones when an address
guard is in use), has its ``h11.Connection`` frame the request and writes it (a large body in
``SEND_SLICE`` views that h11 passes through, waiting for the socket to drain after each, so
nothing is copied), feeds h11 what the socket gives until the reply's head is read, and
returns an ``HttpReply`` whose body is read with ``read`` or ``chunks``. ``release`` gives the
connection back (h11's next cycle started) when the body was read to its end and both ends
keep it, else closes it. A place is never lost: a reply dropped unreleased (its reader
cancelled, an exception before its ``async with``, a caller that lost it) closes its
connection and gives its place back when it is collected, as aiohttp's did (on the event
loop's thread, whichever thread collected it); a request
cancelled or failing before its reply is handed out closes its connection; and a request
waits for a place only while the connections holding them move bytes (none for the connect
timeout: an ``HttpError``), so a stuck pool shows as an error, never as a wait for ever.
A request whose kept-alive connection the server had closed meanwhile (it failed before a
byte of the reply came) is sent once more on a new connection.
Not handled, by design: redirects, cookies, compression, proxies, ``Expect: 100-continue``.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import suppress
from types import TracebackType
from typing import TypeVar, cast
from urllib.parse import urlsplit

import h11

from syncoxide.errors import ConfigError

#: One write to the socket while a body is sent (see ``_Connection.send``).
SEND_SLICE = 1024 * 1024
#: A body smaller than this goes out in one write with the head.
_JOINED_BODY = 64 * 1024
_READ_SIZE = 64 * 1024

Resolve = Callable[[str, int], Awaitable[list[str]]]
Body = bytes | bytearray | memoryview
T = TypeVar("T")


class HttpError(ConnectionError):
    """The connection failed, timed out or broke off, or the reply was not HTTP/1.1."""


class _Connection:
    """One socket and its ``h11.Connection``: h11 writes the request's framing and reads the
    reply's (status line, headers, Content-Length, chunked coding, the close); this class
    moves the bytes and keeps the timeouts."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self.reader, self.writer, self.timeout = reader, writer, timeout
        self.http = h11.Connection(h11.CLIENT)
        self._heard = 0  # bytes of the current reply read so far
        self.moved = asyncio.get_running_loop().time()  # when bytes last went either way

    async def send(self, request: h11.Request, body: Body) -> None:
        """Why slices: a whole 32 MiB part given to the transport at once was kept in its
        buffer (a copy) for as long as the kernel had not taken it; a slice at a time, each
        drained, copies nothing (h11's ``send_with_data_passthrough`` hands a Data event's
        view back as it is, beside the framing)."""
        self._heard = 0
        http, write = self.http, self.writer.write
        try:
            head = _sent(http, request)
            if len(body) < _JOINED_BODY:
                write(head + (_sent(http, h11.Data(data=bytes(body))) if body else b""))
            else:
                write(head)
                view = memoryview(body)
                for start in range(0, len(view), SEND_SLICE):
                    for piece in (
                        http.send_with_data_passthrough(
                            h11.Data(data=cast(bytes, view[start : start + SEND_SLICE]))
                        )
                        or ()
                    ):
                        write(piece)
                    await self.timed(self.writer.drain())
            write(_sent(http, h11.EndOfMessage()))
        except h11.LocalProtocolError as error:
            raise HttpError(f"the request cannot be sent: {error}") from error
        await self.timed(self.writer.drain())

    async def next_event(self) -> h11.Event:
        """The reply's next event, reading from the socket as h11 needs. The socket closing
        before a byte of the reply came raises ``IncompleteReadError`` (with no partial): the
        request may be sent again (``_closed_while_idle``)."""
        while True:
            try:
                event = self.http.next_event()
            except h11.RemoteProtocolError as error:
                raise HttpError(f"the reply is not HTTP/1.1 as expected: {error}") from error
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]  # PAUSED cannot come: see release
            data = await self.timed(self.reader.read(_READ_SIZE))
            if not data and not self._heard:
                raise asyncio.IncompleteReadError(b"", None)
            self._heard += len(data)
            self.http.receive_data(data)

    async def timed(self, waiting: Awaitable[T]) -> T:
        """``waiting``, given at most the read timeout."""
        async with asyncio.timeout(self.timeout):
            done = await waiting
        self.moved = asyncio.get_running_loop().time()
        return done

    def next_cycle(self) -> bool:
        """Readies the connection for another request if the exchange ended cleanly and both
        ends keep it (h11 puts an end that sent or asked ``Connection: close``, or an HTTP/1.0
        or read-to-the-close reply, in MUST_CLOSE instead of DONE); whether it did."""
        if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
            self.http.start_next_cycle()
            return True
        return False

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


def _sent(http: h11.Connection, event: h11.Event) -> bytes:
    data = http.send(event)
    assert data is not None  # None only for ConnectionClosed, never sent here
    return data


class HttpReply:
    """A reply's status and headers (names in lower case; repeated ones joined by ", "),
    its body still to read. Release it (or leave its ``async with``) when done."""

    def __init__(
        self,
        connection: _Connection,
        response: h11.Response,
        *,
        give_back: Callable[[_Connection, bool], None],
    ) -> None:
        self.status = response.status_code
        self.headers: dict[str, str] = {}
        for raw_name, raw_value in response.headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            known = self.headers.get(name)
            self.headers[name] = value if known is None else f"{known}, {value}"
        self._connection, self._give_back = connection, give_back
        self._complete = False  # the whole body was read
        # Holds no reference to the reply, so a dropped one is collected and gives back.
        loop = asyncio.get_running_loop()
        self._dropped = weakref.finalize(self, _given_back_dropped, loop, give_back, connection)
        self._dropped.atexit = False

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
        received = 0
        try:
            while True:
                event = await self._connection.next_event()
                if isinstance(event, h11.Data):
                    data = event.data
                    received += len(data)
                    for start in range(0, len(data), size):
                        yield bytes(data[start : start + size])
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:  # ConnectionClosed cannot come before EndOfMessage
                    raise HttpError(f"the reply's body ended with {event!r}")
        except HttpError as error:
            raise HttpError(self._broken(error, received)) from error
        except (OSError, EOFError) as error:  # TimeoutError, the socket's, a cut-off read
            raise HttpError(f"the reply's body broke off: {error!r}") from error
        self._complete = True

    def release(self) -> None:
        """Gives the connection back (kept alive when the body was read to its end and both
        ends keep it), or closes it; then the pool may use its place for another request."""
        if self._dropped.detach() is not None:  # None: released before
            self._give_back(self._connection, self._complete and self._connection.next_cycle())

    def _broken(self, error: HttpError, received: int) -> str:
        length = self.headers.get("content-length", "")
        if length.isdigit() and received < int(length):
            return f"the reply's body ended {int(length) - received} bytes early"
        return f"the reply's body broke off: {error}"


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
        self._limit, self._slots, self._in_use = limit, asyncio.Semaphore(limit), 0
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()

    async def request(
        self, method: str, target: str, *, headers: Mapping[str, str], body: Body = b""
    ) -> HttpReply:
        """Sends ``method target`` (the path and query, as signed) with ``headers`` (Host and
        Content-Length are added) and ``body``; the reply once its head is read."""
        request = self._request(method, target, headers, body)
        await self._place()
        try:
            return await self._exchange(request, body)
        except BaseException:
            self._free()
            raise

    @property
    def in_use(self) -> int:
        """How many of the ``limit`` places requests and unreleased replies hold."""
        return self._in_use

    async def _place(self) -> None:
        """Waits for a place among the ``limit`` requests in flight while the connections
        holding them move bytes; once none has for the connect timeout, the pool is stuck
        (replies held and never read nor released), and that is an error, not a wait."""
        limit, loop = self._connect_timeout, asyncio.get_running_loop()
        while True:
            try:
                async with asyncio.timeout(limit):
                    await self._slots.acquire()
                self._in_use += 1
                return
            except TimeoutError:
                moved = max((c.moved for c in self._open), default=0.0)
                if loop.time() - moved >= limit:
                    raise HttpError(
                        f"{self._netloc}: all {self._limit} connection(s) stayed in use for "
                        f"{limit} s with no bytes moved; no reply was released"
                    ) from None

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

    def _request(
        self, method: str, target: str, headers: Mapping[str, str], body: Body
    ) -> h11.Request:
        fields = [("host", self._netloc), *headers.items()]
        if (body or method in ("PUT", "POST")) and not _has(headers, "content-length"):
            fields.append(("content-length", str(len(body))))
        try:
            return h11.Request(method=method, target=target, headers=fields)
        except h11.LocalProtocolError as error:
            raise HttpError(f"the request cannot be sent: {error}") from error

    async def _exchange(self, request: h11.Request, body: Body) -> HttpReply:
        while True:
            connection, reused = await self._connection()
            try:
                await connection.send(request, body)
                response = await self._response(connection)
            except (OSError, EOFError, HttpError) as error:
                self._discard(connection)
                if reused and _closed_while_idle(error):
                    continue  # the server had closed it while it waited: once more, on a new one
                if isinstance(error, HttpError):
                    raise
                raise HttpError(f"{self._netloc}: {error!r}") from error
            except BaseException:  # cancelled: the exchange is cut mid-way
                self._discard(connection)
                raise
            return HttpReply(connection, response, give_back=self._give_back)

    async def _response(self, connection: _Connection) -> h11.Response:
        while True:
            event = await connection.next_event()
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):  # 100 Continue: skipped
                raise HttpError(f"a reply began with {event!r}")

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
        addresses = [self._host]
        if self._resolve:
            try:
                async with asyncio.timeout(self._connect_timeout):
                    addresses = await self._resolve(self._host, self._port)
            except TimeoutError as error:
                raise HttpError(f"{self._host} was not resolved in time") from error
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
        self._free()

    def _free(self) -> None:
        self._in_use -= 1
        self._slots.release()

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)


def _given_back_dropped(
    loop: asyncio.AbstractEventLoop,
    give_back: Callable[[_Connection, bool], None],
    connection: _Connection,
) -> None:
    # The collector runs this in whichever thread it collects in (a worker thread hashing a
    # file, say); the semaphore and the transport belong to the loop's thread, and a place
    # given back from another thread woke its waiter without waking the loop. So the loop
    # gives it back. RuntimeError: the loop was closed, with nothing left to give back to.
    with suppress(RuntimeError):
        loop.call_soon_threadsafe(give_back, connection, False)


def _closed_while_idle(error: BaseException) -> bool:
    """Whether a kept-alive connection failed as one the server closed does: the request
    cannot have been read, so it is safe to send again."""
    if isinstance(error, asyncio.IncompleteReadError):
        return not error.partial
    return isinstance(error, (ConnectionResetError, BrokenPipeError))


def _has(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)
