"""The middleware around every route, innermost first: security headers, then the trusted
proxies' forwarded address (when configured), then the socket's own peer outermost."""

from __future__ import annotations

from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from syncoxide.server.config import ServerConfig
from syncoxide.server.http.socket_peer import SocketPeer
from syncoxide.server.pages.headers import SecurityHeaders


def add_middleware(app: Starlette, config: ServerConfig) -> None:
    """Wrap ``app``; each ``add_middleware`` call goes outside the ones before it."""
    app.add_middleware(SecurityHeaders)
    proxies = config.trusted_proxies()
    if proxies:  # outside the rest, so every route and limit sees the visitor's address
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    # Outermost: the socket's own address and scheme first, whatever the ASGI server believed.
    app.add_middleware(SocketPeer)
