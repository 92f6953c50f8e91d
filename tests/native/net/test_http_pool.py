"""HttpPool against a real socket server that answers each request with a scripted reply.

The server (asyncio, on a loopback port) reads each request's head and its Content-Length
body, records them, and writes the next reply of its script as raw bytes, so every framing
the pool must read (Content-Length, chunked, to the close, HTTP/1.0, HEAD, 204) and every
way a connection ends (the server closing an idle one, a body cut short, no answer) is sent
exactly as a server would send it.
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from syncoxide.errors import ConfigError
from syncoxide.native.net.http_pool import HttpError, HttpPool
from tests.certificates import self_signed_loopback

#: Raw bytes to write and keep the connection, or what to do last on it (then it is closed).
Reply = bytes | Callable[[asyncio.StreamWriter], Awaitable[None]]
OK_HELLO = b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "e"\r\n\r\nhello'


@dataclass
class Scripted:
    """What the server saw: request heads (lower-case header names) and bodies, and how many
    connections were opened."""

    replies: list[Reply]
    heads: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    connections: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.replies:
                raw = await reader.readuntil(b"\r\n\r\n")
                lines = raw.decode().split("\r\n")[:-2]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines[1:])
                }
                self.heads.append((lines[0], headers))
                self.bodies.append(await reader.readexactly(int(headers.get("content-length", 0))))
                reply = self.replies.pop(0)
                if callable(reply):
                    await reply(writer)
                    return
                writer.write(reply)
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(
    *replies: Reply, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[Scripted, str]]:
    script = Scripted(list(replies))
    server = await asyncio.start_server(script.serve, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield script, f"{'https' if tls else 'http'}://127.0.0.1:{port}"


def pool(
    endpoint: str, *, limit: int = 4, read_timeout: float = 5, connect_timeout: float = 5
) -> HttpPool:
    return HttpPool(endpoint, limit=limit, timeouts=(connect_timeout, read_timeout))


def test_a_kept_alive_connection_serves_the_next_request_and_bodies_arrive_whole() -> None:
    body = bytes(range(256)) * (3 * 4096 + 7)  # over 3 MiB: sent in slices

    async def run() -> None:
        no_content = b"HTTP/1.1 204 No Content\r\n\r\n"
        async with serving(OK_HELLO, no_content) as (script, url), pool(url) as http:
            async with await http.request(
                "PUT", "/b/k?x=1", headers={"a": "1"}, body=body
            ) as reply:
                assert (reply.status, await reply.read()) == (200, b"hello")
                assert reply.headers["etag"] == '"e"'
            async with await http.request("DELETE", "/b/k", headers={}) as reply:
                assert (reply.status, await reply.read()) == (204, b"")
        assert script.connections == 1
        (first, head), (second, _) = script.heads
        assert first == "PUT /b/k?x=1 HTTP/1.1" and second == "DELETE /b/k HTTP/1.1"
        assert head["host"] == url.removeprefix("http://") and head["a"] == "1"
        assert head["content-length"] == str(len(body)) and script.bodies[0] == body

    asyncio.run(run())


def test_chunked_and_head_replies_are_framed_and_keep_the_connection() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4;x=y\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nT: 1\r\n\r\n"
    )
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nX-Amz-Meta-Mtime: 7\r\n\r\n"

    async def run() -> None:
        async with serving(chunked, head, OK_HELLO) as (script, url), pool(url) as http:
            async with await http.request("GET", "/", headers={}) as reply:
                blocks = [block async for block in reply.chunks(3)]
            assert b"".join(blocks) == b"Wikipedia in \r\n\r\nchunks."
            assert max(map(len, blocks)) == 3
            async with await http.request("HEAD", "/", headers={}) as reply:
                assert await reply.read() == b""
                assert reply.headers["x-amz-meta-mtime"] == "7"
            async with await http.request("GET", "/", headers={}) as reply:
                assert await reply.read() == b"hello"
        assert script.connections == 1

    asyncio.run(run())


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",  # no length: read to the close
        b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nto the end",  # HTTP/1.0 closes
    ],
)
def test_a_reply_the_server_ends_by_closing_is_read_whole_and_not_reused(reply: bytes) -> None:
    async def then_close(writer: asyncio.StreamWriter) -> None:
        writer.write(reply)

    async def run() -> None:
        async with serving(then_close, OK_HELLO) as (script, url), pool(url) as http:
            async with await http.request("GET", "/", headers={}) as first:
                assert await first.read() == b"to the end"
            async with await http.request("GET", "/", headers={}) as second:
                assert await second.read() == b"hello"
        assert script.connections == 2

    asyncio.run(run())


def test_a_kept_alive_connection_closed_unanswered_is_replaced_and_the_request_sent_again() -> None:
    """As when a server's idle timeout closes a connection just as a request goes out: the
    request was not read, so it goes once more on a new connection; on a new connection the
    same is an error (no second try)."""

    async def close_unanswered(writer: asyncio.StreamWriter) -> None:
        pass

    async def run() -> None:
        replies = (OK_HELLO, close_unanswered, OK_HELLO, close_unanswered)
        async with serving(*replies) as (script, url), pool(url) as http:
            async with await http.request("GET", "/", headers={}) as reply:
                assert await reply.read() == b"hello"
            async with await http.request("PUT", "/", headers={}, body=b"abc") as reply:
                assert await reply.read() == b"hello"
            assert script.connections == 2 and script.bodies[1:] == [b"abc", b"abc"]
            async with pool(url) as fresh:  # a new connection
                with pytest.raises(HttpError, match="IncompleteReadError"):
                    await fresh.request("GET", "/", headers={})
        assert script.connections == 3

    asyncio.run(run())


def test_a_body_left_unread_closes_its_connection() -> None:
    async def run() -> None:
        async with serving(OK_HELLO, OK_HELLO) as (script, url), pool(url) as http:
            async with await http.request("GET", "/", headers={}) as reply:
                assert reply.status == 200  # the body is never read
            async with await http.request("GET", "/", headers={}) as reply:
                assert await reply.read() == b"hello"
        assert script.connections == 2

    asyncio.run(run())


def test_a_body_cut_short_fails_as_an_http_error() -> None:
    async def cut(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")

    async def run() -> None:
        async with serving(cut) as (_, url), pool(url) as http:
            reply = await http.request("GET", "/", headers={})
            with pytest.raises(HttpError, match="6 bytes early"):
                await reply.read()
            reply.release()

    asyncio.run(run())


def test_no_answer_times_out_and_a_closed_port_is_unreachable() -> None:
    async def run() -> None:
        async def no_answer(writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(3)

        async with serving(no_answer) as (_, url), pool(url, read_timeout=0.3) as http:
            with pytest.raises(HttpError, match="TimeoutError"):
                await http.request("GET", "/", headers={})
        async with pool(url) as http:  # the server is gone: nothing listens on its port
            with pytest.raises(HttpError, match="could not connect"):
                await http.request("GET", "/", headers={})

    asyncio.run(run())


def test_limit_holds_requests_until_a_reply_is_released() -> None:
    async def run() -> None:
        async with serving(OK_HELLO, OK_HELLO) as (script, url), pool(url, limit=1) as http:
            first = await http.request("GET", "/1", headers={})
            second = asyncio.ensure_future(http.request("GET", "/2", headers={}))
            await asyncio.sleep(0.2)
            assert not second.done() and len(script.heads) == 1
            assert await first.read() == b"hello"
            first.release()
            async with await second as reply:
                assert await reply.read() == b"hello"
        assert script.connections == 1

    asyncio.run(run())


def test_a_reply_dropped_unreleased_gives_its_place_back_when_collected() -> None:
    async def run() -> None:
        async with serving(OK_HELLO, OK_HELLO) as (script, url), pool(url, limit=1) as http:
            reply = await http.request("GET", "/1", headers={})
            assert reply.status == 200
            del reply  # never read nor released, as a caller that lost it
            gc.collect()
            reply = await asyncio.wait_for(http.request("GET", "/2", headers={}), 2)
            async with reply:
                assert await reply.read() == b"hello"
        assert script.connections == 2  # the dropped reply's connection was closed

    asyncio.run(run())


def test_a_reply_collected_in_another_thread_gives_its_place_back_on_the_loop() -> None:
    """The collector runs a finalizer in whichever thread it runs in (a worker thread hashing
    a file, say). A place given back from there woke its waiter without waking the loop: the
    waiting request went on only when the loop next woke for something else (here its own
    5 s time limit for a place)."""

    async def run() -> None:
        async with serving(OK_HELLO, OK_HELLO) as (_, url), pool(url, limit=1) as http:
            held: list[object] = [await http.request("GET", "/1", headers={})]
            held.append(held)  # a cycle: only the collector frees it, not the refcount
            waiting = asyncio.ensure_future(http.request("GET", "/2", headers={}))
            await asyncio.sleep(0.2)  # waiting for the place the dropped reply holds
            gc.disable()  # the collection that frees it must be the worker thread's
            try:
                del held
                worker = threading.Thread(target=lambda: (time.sleep(0.2), gc.collect()))
                started = asyncio.get_running_loop().time()
                worker.start()  # collects while the loop waits in select for the place
                async with await asyncio.wait_for(waiting, 4) as reply:
                    assert await reply.read() == b"hello"
                worker.join()
            finally:
                gc.enable()
            # Woken by the give-back itself, not by the 4 s limit above (the fault waited for
            # that); the margin is for the collection, which can take a second on a loaded
            # worker with a big heap (1.28 s seen in a full unit run).
            assert asyncio.get_running_loop().time() - started < 3

    asyncio.run(run())


def test_a_task_cancelled_while_reading_a_body_gives_its_place_back() -> None:
    async def stalls(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
        await asyncio.sleep(3)

    async def run() -> None:
        async with serving(stalls, OK_HELLO) as (_, url), pool(url, limit=1) as http:
            heard = asyncio.Event()

            async def reads() -> bytes:  # no release: as a caller handed a LeanRead
                reply = await http.request("GET", "/1", headers={})
                heard.set()
                return await reply.read()

            task = asyncio.ensure_future(reads())
            await heard.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            del task
            gc.collect()
            reply = await asyncio.wait_for(http.request("GET", "/2", headers={}), 2)
            async with reply:
                assert await reply.read() == b"hello"

    asyncio.run(run())


def test_a_request_cancelled_before_its_reply_closes_its_connection() -> None:
    async def run() -> None:
        closed = asyncio.Event()

        async def hears_the_close(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            await reader.readuntil(b"\r\n\r\n")  # the request; never answered
            if not await reader.read():
                closed.set()
            writer.close()

        server = await asyncio.start_server(hears_the_close, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, pool(f"http://127.0.0.1:{port}", limit=1) as http:
            task = asyncio.ensure_future(http.request("GET", "/", headers={}))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.wait_for(closed.wait(), 2)  # not left open until the pool closes

    asyncio.run(run())


def test_a_pool_that_stays_full_fails_clearly_instead_of_waiting_for_ever() -> None:
    async def run() -> None:
        async with serving(OK_HELLO) as (_, url), pool(url, limit=1, connect_timeout=0.3) as http:
            held = await http.request("GET", "/1", headers={})
            started = asyncio.get_running_loop().time()
            with pytest.raises(
                HttpError, match=r"1 connection\(s\) stayed in use for 0.3 s with no bytes moved"
            ):
                await asyncio.wait_for(http.request("GET", "/2", headers={}), 3)
            assert asyncio.get_running_loop().time() - started < 2
            held.release()

    asyncio.run(run())


def test_a_full_pool_whose_replies_are_being_read_waits_past_the_time_limit() -> None:
    async def trickles(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        for _ in range(10):
            await asyncio.sleep(0.1)
            writer.write(b"x")

    async def run() -> None:
        async with (
            serving(trickles, OK_HELLO) as (_, url),
            pool(url, limit=1, connect_timeout=0.3) as http,
        ):
            held = await http.request("GET", "/1", headers={})
            second = asyncio.ensure_future(http.request("GET", "/2", headers={}))
            async with held:
                assert await held.read() == b"x" * 10  # about 1 s: over the time limit
            async with await second as reply:
                assert await reply.read() == b"hello"

    asyncio.run(run())


def test_it_connects_to_the_addresses_resolve_gives_and_names_the_host() -> None:
    asked: list[tuple[str, int]] = []

    async def run() -> None:
        async with serving(OK_HELLO) as (script, url):
            port = int(url.rsplit(":", 1)[1])

            async def resolve(host: str, at: int) -> list[str]:
                asked.append((host, at))
                return ["127.0.0.1"]

            endpoint = f"http://s3.example.test:{port}"
            http = HttpPool(endpoint, limit=1, timeouts=(5, 5), resolve=resolve)
            async with http, await http.request("GET", "/", headers={}) as reply:
                assert await reply.read() == b"hello"
        assert asked == [("s3.example.test", port)]
        assert script.heads[0][1]["host"] == f"s3.example.test:{port}"

    asyncio.run(run())


@pytest.mark.parametrize("endpoint", ["minio:9000", "ftp://host", "http://"])
def test_an_endpoint_that_is_no_http_address_is_refused_as_configuration(endpoint: str) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        HttpPool(endpoint, limit=1, timeouts=(1, 1))


def test_https_verifies_the_server_against_the_context_or_the_system_certificates(
    tmp_path: Path,
) -> None:
    cert, key = self_signed_loopback(tmp_path, "server")
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    async def run() -> None:
        async with serving(OK_HELLO, tls=served) as (_, url):
            http = HttpPool(url, limit=1, timeouts=(5, 5), tls=trusting)
            async with http, await http.request("GET", "/", headers={}) as reply:
                assert await reply.read() == b"hello"
            async with pool(url) as system:  # the system's certificates do not know it
                with pytest.raises(HttpError, match="CERTIFICATE_VERIFY_FAILED"):
                    await system.request("GET", "/", headers={})

    asyncio.run(run())
