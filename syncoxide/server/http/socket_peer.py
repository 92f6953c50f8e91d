"""The visitor as the connection itself shows it, whatever the ASGI server made of headers.

uvicorn believes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from loopback unless it is
started with ``--no-proxy-headers``: any program on the machine could then choose a new
address for every request and walk around every per-address limit, or claim https. ``syncoxide
serve`` starts uvicorn without that, but the app also runs under a plain ``uvicorn --factory
syncoxide.server.asgi:create``, where the operator may not know to turn it off. So the app's
outermost layer puts back the socket's own peer address and scheme before anything reads them;
the proxies the operator lists (``ServerConfig.trusted_proxies``) are then believed by the app's
own ``ProxyHeadersMiddleware``, which runs just inside this one.

The socket is found on uvicorn's protocol object, whose bound method ``receive`` is; under a
server that keeps it elsewhere (or the test client) nothing is changed, which is right for a
server that does not rewrite the client from headers on its own.
"""

from __future__ import annotations

from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

_SCHEMES = {("http", False): "http", ("http", True): "https"}
_SCHEMES |= {("websocket", False): "ws", ("websocket", True): "wss"}


class SocketPeer:
    """Pure ASGI middleware: ``scope["client"]`` and ``scope["scheme"]`` from the socket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = transport_of(receive)
        if transport is not None and scope["type"] in ("http", "websocket"):
            peer = transport.get_extra_info("peername")
            if isinstance(peer, tuple) and len(peer) >= 2:  # a Unix socket has no address
                scope["client"] = (str(peer[0]), int(peer[1]))
            secure = transport.get_extra_info("sslcontext") is not None
            scope["scheme"] = _SCHEMES[(scope["type"], secure)]
        await self.app(scope, receive, send)


class Transport(Protocol):
    """What is read of a connection's transport: asyncio's and uvloop's (not a subclass) alike."""

    def get_extra_info(self, name: str, default: Any = None) -> Any: ...


def transport_of(receive: Receive) -> Transport | None:
    """The connection's transport, when the server keeps it beside ``receive`` (uvicorn)."""
    owner = getattr(receive, "__self__", None)
    transport = getattr(owner, "transport", None)
    return transport if callable(getattr(transport, "get_extra_info", None)) else None
