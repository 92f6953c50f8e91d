"""httpx2 clients that connect only to addresses an ``AddressGuard`` checked (aiohttp's side,
a resolver, is guarded_resolver.py: apart, so the httpx2 users never import aiohttp).

httpx2 (WebDAV, Drive, Dropbox) has no resolver hook, so the guarded transport resolves and
checks the host itself and sends the request to the checked address, keeping the name in the
Host header and for TLS (SNI and certificate checks use ``sni_hostname``).
"""

from __future__ import annotations

from typing import Any

import httpx2

from syncoxide.native.net.address_guard import AddressGuard


class GuardedTransport(httpx2.AsyncBaseTransport):
    def __init__(self, guard: AddressGuard, **options: Any) -> None:
        self._guard = guard
        self._inner = httpx2.AsyncHTTPTransport(**options)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        address = (await self._guard.addresses(host, port))[0]
        if address != host:
            request.url = request.url.copy_with(host=address)
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def guarded_transport(guard: AddressGuard | None, **options: Any) -> httpx2.AsyncBaseTransport:
    """httpx2's own transport (with ``options``) when there is no guard, else a guarded one."""
    if guard is None:
        return httpx2.AsyncHTTPTransport(**options)
    return GuardedTransport(guard, **options)
