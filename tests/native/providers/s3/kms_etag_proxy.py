"""An HTTP relay in front of moto that answers as AWS S3 does for an SSE-KMS bucket: every ETag
it passes on is no MD5 of the bytes (a stand-in value, consistent across UploadPart, ListParts,
CompleteMultipartUpload, PUT, HEAD and listings), and, with ``announce``, every reply carries
``x-amz-server-side-encryption: aws:kms``.

A stand-in for AWS behaviour that cannot be reached from here (no AWS account or KMS key in
these tests; moto answers MD5 ETags whatever the encryption asked). AWS documents both: objects
encrypted with SSE-KMS or SSE-C have ETags that are not MD5 digests, and the replies name the
encryption in that header. CompleteMultipartUpload requests are mapped back to moto's own
ETags (moto does not check signatures or Content-MD5, so the rewritten body passes).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from collections.abc import Iterator

import aiohttp
from aiohttp import web

from tests.native.providers.thread_loop import Serving, serving_in_thread

_ETAG = re.compile(r"[0-9a-fA-F]{32}")
_HOP = {"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"}


class KmsEtagProxy:
    def __init__(self, upstream: str, *, announce: bool) -> None:
        self.upstream = upstream.rstrip("/")
        self.announce = announce
        self.port = 0
        self._real: dict[str, str] = {}  # stand-in ETag -> moto's
        #: partNumber of every UploadPart relayed, in order.
        self.part_numbers: list[int] = []

    def stand_in(self, real: str) -> str:
        """The ETag this relay shows for moto's ``real`` one: 32 hex digits, no MD5 of anything
        sent (as AWS's SSE-KMS ETags)."""
        fake = hashlib.sha256(b"kms:" + real.lower().encode()).hexdigest()[:32]
        self._real[fake] = real
        return fake

    def _out(self, text: str) -> str:
        return _ETAG.sub(lambda m: self.stand_in(m.group(0)), text)

    def _back(self, text: str) -> str:
        return _ETAG.sub(lambda m: self._real.get(m.group(0), m.group(0)), text)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        if request.method == "POST" and "uploadId" in request.query:  # Complete
            body = self._back(body.decode()).encode()
            md5 = hashlib.md5(body, usedforsecurity=False).digest()
            headers = {k: v for k, v in headers.items() if k.lower() != "content-md5"}
            headers["Content-MD5"] = base64.b64encode(md5).decode()
        if "partNumber" in request.query and request.method == "PUT":
            self.part_numbers.append(int(request.query["partNumber"]))
        url = self.upstream + request.raw_path
        async with (
            aiohttp.ClientSession(auto_decompress=False) as session,
            session.request(
                request.method,
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                skip_auto_headers=["Content-Type"],
            ) as reply,
        ):
            answer = await reply.read()
            out = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP}
        out = {k: self._out(v) if k.lower() == "etag" else v for k, v in out.items()}
        if self.announce:
            out["x-amz-server-side-encryption"] = "aws:kms"
        if request.query_string or "xml" in reply.headers.get("Content-Type", ""):
            answer = self._out(answer.decode()).encode()
        if request.method == "HEAD":
            out["Content-Length"] = reply.headers.get("Content-Length", "0")
            return web.Response(status=reply.status, headers=out)
        return web.Response(status=reply.status, headers=out, body=answer)


@contextlib.contextmanager
def kms_etag_proxy(upstream: str, *, announce: bool) -> Iterator[KmsEtagProxy]:
    """Runs a ``KmsEtagProxy`` on a free loopback port in a thread; stopped on exit."""
    proxy = KmsEtagProxy(upstream, announce=announce)

    async def serve(serving: Serving) -> None:
        app = web.Application(client_max_size=1 << 30)  # parts are several MiB
        app.router.add_route("*", "/{tail:.*}", proxy.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        proxy.port = runner.addresses[0][1]
        await serving()
        await runner.cleanup()

    with serving_in_thread(serve, "KMS ETag proxy"):
        yield proxy
