"""Lean HEAD, GET, PUT, copy and DELETE Object for the per-file hot paths: SigV4 signed
here, sent with ``HttpPool`` (native/net/http_pool.py).

Why: listing must HEAD every object (the mtime lives in metadata; a whole GET's reply
carries it too, ``LeanRead.head``), a first copy PUTs every
small file and a provider backup GETs every file; through botocore each request costs ~1.5 ms
of CPU (user-agent assembly, hooks, date and body parsing), which made 10,000-file runs
CPU-bound. Signing by hand costs a few HMACs.
Only the plain case is handled here (an endpoint, static keys, path-style URLs); anything
unusual, including every unexpected reply, goes back through botocore, which retries and
reports the precise error. PUTs carry Content-MD5, so the server still checks every byte (real
S3 and rclone serve s3 do; moto 5.2 ignores the header).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from syncoxide.native.net.http_pool import HttpPool, HttpReply
from syncoxide.native.providers.digests import mtime_from_text
from syncoxide.native.providers.s3.errors import PreconditionFailedError

_UNSIGNED = "UNSIGNED-PAYLOAD"
# The ETag is optional: rclone serve s3 answers a copy onto the same key (a metadata change)
# with an empty CopyObjectResult.
_COPIED_ETAG = re.compile(rb"<CopyObjectResult\b[^>]*>(?:.*?<ETag>([^<]*)</ETag>)?", re.DOTALL)


@dataclass(frozen=True)
class Head:
    size: int
    #: Last-Modified; 0 when the metadata holds a readable mtime, which makes it moot.
    last_modified_ns: int
    metadata: dict[str, str]
    etag: str = ""


@dataclass(frozen=True)
class Stored:
    """What a write's reply says of what was stored: its ETag, and whether that ETag is no
    MD5 of the bytes because the object is encrypted with SSE-KMS or SSE-C."""

    etag: str
    encrypted: bool = False


def etag_is_opaque(headers: Mapping[str, str]) -> bool:
    """Whether a reply's ``headers`` (names in lower case, or a case-blind mapping) say the
    object is encrypted with SSE-KMS (``aws:kms``, ``aws:kms:dsse``) or SSE-C: AWS documents
    that the ETag of such an object is not an MD5 digest of its bytes. (SSE-S3, ``AES256``,
    keeps the MD5.)"""
    sse = headers.get("x-amz-server-side-encryption", "")
    return sse.startswith("aws:kms") or bool(
        headers.get("x-amz-server-side-encryption-customer-algorithm")
    )


class HeadSigner:
    def __init__(self, endpoint: str, region: str, access_key: str, secret_key: str) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._host = urlsplit(self._endpoint).netloc
        self._region, self._access, self._secret = region, access_key, secret_key
        self._keys: dict[str, bytes] = {}

    def _signing_key(self, day: str) -> bytes:
        if day not in self._keys:
            key = f"AWS4{self._secret}".encode()
            for part in (day, self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._keys = {day: key}
        return self._keys[day]

    def signed(
        self,
        method: str,
        bucket: str,
        key: str,
        *,
        extra: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> tuple[str, dict[str, str]]:
        """The target (path and query) and headers of a signed request for ``bucket/key``
        (payload unsigned: plain http has no other integrity, so PUTs add Content-MD5 in
        ``extra``)."""
        path = "/" + quote(f"{bucket}/{key}", safe="/~")
        query_text = "&".join(
            f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}"
            for name, value in sorted((query or {}).items())
        )
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = stamp[:8]
        headers = {"x-amz-date": stamp, "x-amz-content-sha256": _UNSIGNED, **(extra or {})}
        names = sorted([*(name.lower() for name in headers), "host"])
        values = {name.lower(): value.strip() for name, value in headers.items()}
        values["host"] = self._host
        canonical_headers = "".join(f"{name}:{values[name]}\n" for name in names)
        signed_names = ";".join(names)
        canonical = (
            f"{method}\n{path}\n{query_text}\n{canonical_headers}\n{signed_names}\n{_UNSIGNED}"
        )
        scope = f"{day}/{self._region}/s3/aws4_request"
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{digest}"
        signature = hmac.new(self._signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self._access}/{scope}, "
            f"SignedHeaders={signed_names}, Signature={signature}"
        )
        return path + (f"?{query_text}" if query_text else ""), headers


async def lean_head(session: HttpPool, signer: HeadSigner, bucket: str, key: str) -> Head | None:
    """The object's head; None when absent (404); raises LookupError for anything else."""
    target, headers = signer.signed("HEAD", bucket, key)
    async with await session.request("HEAD", target, headers=headers) as reply:
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise LookupError(reply.status)
        return head_of(reply.headers)


def head_of(headers: Mapping[str, str]) -> Head:
    """What a HEAD's or a whole GET's reply headers (names in lower case) say of the object:
    a GET carries the same metadata (``x-amz-meta-mtime``, as rclone writes it) as a HEAD."""
    metadata = {
        name[len("x-amz-meta-") :]: value
        for name, value in headers.items()
        if name.startswith("x-amz-meta-")
    }
    modified = headers.get("last-modified", "")
    # The date parser is Python code, once per GET of a backup: only where it is needed.
    needed = modified and mtime_from_text(metadata.get("mtime", "")) is None
    stamp = _http_date_ns(modified) if needed else 0
    return Head(int(headers.get("content-length", 0)), stamp, metadata, headers.get("etag", ""))


def _http_date_ns(text: str) -> int:
    # Imported here: email.utils brings most of the email package (~5 ms), and a sync whose
    # objects are all remembered (object_memory.py) sends no HEAD at all.
    from email.utils import parsedate_to_datetime

    return int(parsedate_to_datetime(text).timestamp()) * 10**9


class LeanRead:
    """A GET Object sent and answered: its body is read with ``chunks``, then released. The
    holder releases it on every path (``chunks`` read to the end does too): an abandoned
    ``chunks`` generator is only closed when the event loop finalizes it."""

    def __init__(self, reply: HttpReply) -> None:
        self._reply = reply

    def head(self) -> Head:
        """The object as the reply's headers describe it (its whole size only for a GET with
        no range); LookupError when they give no size."""
        if "content-length" not in self._reply.headers or self._reply.status != 200:
            raise LookupError("a GET reply without the whole object's size")
        return head_of(self._reply.headers)

    async def chunks(self, size: int) -> AsyncIterator[bytes]:
        try:
            async for block in self._reply.chunks(size):
                yield block
        finally:
            self._reply.release()

    def release(self) -> None:
        self._reply.release()


async def lean_get(
    session: HttpPool, signer: HeadSigner, bucket: str, key: str, *, byte_range: str
) -> LeanRead | None:
    """The object's body (``byte_range`` as a Range header value, or ""); None when absent
    (404); raises LookupError for any other reply but 200 and 206, before any byte is read."""
    target, headers = signer.signed(
        "GET", bucket, key, extra={"range": byte_range} if byte_range else {}
    )
    reply = await session.request("GET", target, headers=headers)
    if reply.status in (200, 206):
        return LeanRead(reply)
    reply.release()
    if reply.status == 404:
        return None
    raise LookupError(reply.status)


async def lean_put(
    session: HttpPool,
    signer: HeadSigner,
    bucket: str,
    key: str,
    *,
    body: bytes,
    md5: bytes,
    metadata: dict[str, str],
) -> str | None:
    """PUTs ``body``: the new object's ETag, or None for any reply but 200 (the caller then
    goes through botocore)."""
    extra = {f"x-amz-meta-{name}": value for name, value in metadata.items()}
    extra["content-md5"] = base64.b64encode(md5).decode()
    extra["content-length"] = str(len(body))
    target, headers = signer.signed("PUT", bucket, key, extra=extra)
    async with await session.request("PUT", target, headers=headers, body=body) as reply:
        await reply.read()
        return reply.headers.get("etag", "") if reply.status == 200 else None


@dataclass(frozen=True)
class CopyGuard:
    """A CopyObject's conditions: ``If-None-Match: *`` (only onto a free key) and the
    source's ETag as ``x-amz-copy-source-if-match``."""

    source_etag: str

    def headers(self) -> dict[str, str]:
        return {"if-none-match": "*", "x-amz-copy-source-if-match": self._quoted()}

    def parameters(self) -> dict[str, str]:
        """The same conditions as botocore's CopyObject parameters."""
        return {"IfNoneMatch": "*", "CopySourceIfMatch": self._quoted()}

    def _quoted(self) -> str:
        return '"' + self.source_etag.strip('"') + '"'


async def lean_copy(
    session: HttpPool,
    signer: HeadSigner,
    bucket: str,
    keys: tuple[str, str],
    *,
    guard: CopyGuard | None,
    metadata: dict[str, str] | None = None,
) -> str | None:
    """Copies ``keys`` = (old, new) in the bucket, metadata included (or replaced by
    ``metadata``, the way to change an object's metadata in place): the new object's ETag,
    or None for any reply but success (the caller then goes through botocore);
    ``PreconditionFailedError`` when a condition of ``guard`` was refused (412). A 200 whose
    body is no CopyObjectResult is an error (S3 may fail a copy after it sent the status)
    and also gives None."""
    old, new = keys
    extra = {
        "x-amz-copy-source": "/" + quote(f"{bucket}/{old}", safe="/~"),
        "x-amz-metadata-directive": "COPY" if metadata is None else "REPLACE",
        **{f"x-amz-meta-{name}": value for name, value in (metadata or {}).items()},
        **(guard.headers() if guard is not None else {}),
    }
    target, headers = signer.signed("PUT", bucket, new, extra=extra)
    async with await session.request("PUT", target, headers=headers) as reply:
        body = await reply.read()
        if reply.status == 412 and guard is not None:
            raise PreconditionFailedError(f"S3: {old!r} or {new!r} changed since listed.")
        found = _COPIED_ETAG.search(body) if reply.status == 200 else None
        if found is None:
            return None
        etag = (found.group(1) or b"").decode()
        return etag.replace("&#34;", '"').replace("&quot;", '"')


async def lean_delete(session: HttpPool, signer: HeadSigner, bucket: str, key: str) -> bool:
    """Deletes ``key`` (S3 answers 204 whether it was there or not); False for any other
    reply (the caller then goes through botocore)."""
    target, headers = signer.signed("DELETE", bucket, key)
    async with await session.request("DELETE", target, headers=headers) as reply:
        await reply.read()
        return reply.status in (200, 204)


async def lean_upload_part(
    session: HttpPool,
    signer: HeadSigner,
    where: tuple[str, str, str],
    number: int,
    *,
    body: bytes | bytearray,
    content_md5: bool | bytes = True,
) -> Stored | None:
    """Sends one part of the multipart upload ``where`` = (bucket, key, upload id): its ETag
    (and whether it is encrypted, so no MD5), or None for any reply but 200 (the caller then
    goes through botocore).

    Why not botocore: over plain http it signs the payload, one SHA-256 pass plus two copies
    of every part, about a third of the CPU of a big upload. Content-MD5 lets the server check
    the bytes instead (S3 refuses a part that does not match with BadDigest rather than store
    it): ``True`` hashes the part here, a digest given (``bytes``: the engine's copies in parts
    hash every part as they read it) is sent as it is, ``False`` sends none.
    """
    bucket, key, upload_id = where
    extra = {"content-length": str(len(body))}
    md5 = content_md5 if isinstance(content_md5, bytes) else None
    if content_md5 is True:
        # In a thread: hashlib lets go of the GIL, so the next part is read and hashed meanwhile.
        md5 = await asyncio.to_thread(_md5, body)
    if md5 is not None:
        extra["content-md5"] = base64.b64encode(md5).decode()
    query = {"partNumber": str(number), "uploadId": upload_id}
    target, headers = signer.signed("PUT", bucket, key, extra=extra, query=query)
    # The part is sent from a full buffer (HttpPool writes it a slice at a time, copying
    # nothing), in one quick request: a request cut mid-body fails the whole upload on some
    # servers (rclone serve s3), so a part is never streamed while it is still being read.
    async with await session.request("PUT", target, headers=headers, body=body) as reply:
        await reply.read()
        if reply.status != 200:
            return None
        return Stored(reply.headers.get("etag", ""), etag_is_opaque(reply.headers))


def _md5(body: bytes | bytearray) -> bytes:
    return hashlib.md5(body, usedforsecurity=False).digest()
