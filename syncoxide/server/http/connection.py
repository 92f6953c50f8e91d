"""Facts about the client a request came from."""

from __future__ import annotations

from starlette.requests import HTTPConnection


def is_tls(connection: HTTPConnection) -> bool:
    return connection.url.scheme in {"https", "wss"}


def client_ip(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"
