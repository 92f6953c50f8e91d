"""Lean multipart-upload requests (create, list parts, complete, abort) and multi-object
delete: signed here (``lean.HeadSigner``), sent with ``HttpPool``.

Why: a sync whose requests are all lean never imports botocore (about 0.3 s of CPU at every
start, more than the rest of a small sync), and ListParts through botocore parsed every
part's reply with dateutil. As in ``lean.py`` only the plain case is handled: any reply but a
well-formed success gives None or raises ``LookupError``, and the caller then sends the same
request through botocore, which retries and reports the precise error.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, XMLParser

from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.lean import HeadSigner, Stored, etag_is_opaque

Lean = tuple[HttpPool, HeadSigner]
_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
#: moto names its ListParts reply ``ListPartsResponse``; botocore does not look at the name.
_LIST_PARTS_ROOTS = frozenset({"ListPartsResult", "ListPartsResponse"})


@dataclass(frozen=True)
class HeldPart:
    """One part the server holds for an open upload, as ListParts states it."""

    etag: str
    size: int

    def holds(self, md5_hex: str, size: int) -> bool:
        return self.etag.strip('"').lower() == md5_hex and self.size == size


async def lean_create_upload(
    lean: Lean, bucket: str, key: str, metadata: dict[str, str]
) -> str | None:
    """Starts a multipart upload of ``key``: its upload id, or None for an unusual reply."""
    session, signer = lean
    extra = {f"x-amz-meta-{name}": value for name, value in metadata.items()}
    target, headers = signer.signed("POST", bucket, key, extra=extra, query={"uploads": ""})
    async with await session.request("POST", target, headers=headers) as reply:
        body = await reply.read()
    if reply.status != 200:
        return None
    root = _parsed(body)
    upload_id = _child_text(root, "UploadId") if root is not None else ""
    return upload_id or None


async def lean_list_parts(lean: Lean, where: tuple[str, str, str]) -> dict[int, HeldPart] | None:
    """The parts the upload ``where`` = (bucket, key, upload id) holds; None when the server
    no longer knows it (404); ``LookupError`` for any other unusual reply."""
    session, signer = lean
    bucket, key, upload_id = where
    held: dict[int, HeldPart] = {}
    marker = ""
    while True:
        query = {"uploadId": upload_id, "max-parts": "1000"}
        if marker:
            query["part-number-marker"] = marker
        target, headers = signer.signed("GET", bucket, key, query=query)
        async with await session.request("GET", target, headers=headers) as reply:
            body = await reply.read()
        if reply.status == 404:
            return None
        root = _parsed(body) if reply.status == 200 else None
        if root is None or _local(root.tag) not in _LIST_PARTS_ROOTS:
            raise LookupError(reply.status)
        held.update(_parts_of(root))
        marker = _child_text(root, "NextPartNumberMarker")
        if _child_text(root, "IsTruncated") != "true":
            return held
        if not marker:
            raise LookupError("a truncated part listing without a marker")


def _parts_of(root: Element) -> dict[int, HeldPart]:
    found: dict[int, HeldPart] = {}
    for item in root:
        if _local(item.tag) != "Part":
            continue
        fields = {_local(child.tag): child.text or "" for child in item}
        try:
            found[int(fields["PartNumber"])] = HeldPart(fields["ETag"], int(fields["Size"]))
        except (KeyError, ValueError) as error:
            raise LookupError(f"an unreadable part: {error}") from None
    return found


async def lean_complete(
    lean: Lean, where: tuple[str, str, str], parts: list[tuple[int, str]]
) -> Stored | None:
    """Completes the upload ``where`` from ``parts`` = (number, ETag): the object's ETag
    (and whether it is encrypted), or
    None for any reply but a CompleteMultipartUploadResult (S3 may send an error in a 200
    once the assembly failed)."""
    session, signer = lean
    bucket, key, upload_id = where
    listed = "".join(
        f"<Part><PartNumber>{number}</PartNumber><ETag>{_escaped(etag)}</ETag></Part>"
        for number, etag in parts
    )
    body = f'<CompleteMultipartUpload xmlns="{_XMLNS}">{listed}</CompleteMultipartUpload>'
    sent = body.encode()
    target, headers = signer.signed(
        "POST", bucket, key, extra=_content_headers(sent), query={"uploadId": upload_id}
    )
    async with await session.request("POST", target, headers=headers, body=sent) as reply:
        answer = await reply.read()
    root = _parsed(answer) if reply.status == 200 else None
    if root is None or _local(root.tag) != "CompleteMultipartUploadResult":
        return None
    return Stored(_child_text(root, "ETag"), etag_is_opaque(reply.headers))


async def lean_abort(lean: Lean, where: tuple[str, str, str]) -> bool:
    """Aborts the upload ``where``; False for any reply but 204/200 (or 404: already gone)."""
    session, signer = lean
    bucket, key, upload_id = where
    target, headers = signer.signed("DELETE", bucket, key, query={"uploadId": upload_id})
    async with await session.request("DELETE", target, headers=headers) as reply:
        await reply.read()
        return reply.status in (200, 204, 404)


async def lean_delete_keys(lean: Lean, bucket: str, keys: list[str]) -> bool:
    """Deletes up to 1,000 ``keys`` in one DeleteObjects request (quiet: only failures are
    listed); False for any reply but a DeleteResult without errors."""
    session, signer = lean
    listed = "".join(f"<Object><Key>{_escaped(key)}</Key></Object>" for key in keys)
    sent = f'<Delete xmlns="{_XMLNS}"><Quiet>true</Quiet>{listed}</Delete>'.encode()
    extra = _content_headers(sent)
    target, headers = signer.signed("POST", bucket, "", extra=extra, query={"delete": ""})
    async with await session.request("POST", target, headers=headers, body=sent) as reply:
        answer = await reply.read()
    root = _parsed(answer) if reply.status == 200 else None
    if root is None or _local(root.tag) != "DeleteResult":
        return False
    return not any(_local(child.tag) == "Error" for child in root)


def _escaped(text: str) -> str:
    """``text`` as XML character data. Why not ``xml.sax.saxutils.escape``: that module imports
    urllib.request and with it http.client and most of email, ~15 ms of every S3 sync's start."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _content_headers(body: bytes) -> dict[str, str]:
    # Content-MD5 is required by DeleteObjects and lets the server check any body it is sent.
    md5 = hashlib.md5(body, usedforsecurity=False).digest()
    return {"content-md5": base64.b64encode(md5).decode(), "content-length": str(len(body))}


def _parsed(body: bytes) -> Element | None:
    parser = XMLParser()  # noqa: S314 - our own endpoint's reply; expat expands no external entities
    try:
        parser.feed(body)
        root: Element = parser.close()
    except ParseError:
        return None
    return root


def _local(tag: str) -> str:
    """A tag without its namespace (moto and others differ in whether they send one)."""
    return tag.rpartition("}")[2]


def _child_text(parent: Element, name: str) -> str:
    for child in parent:
        if _local(child.tag) == name:
            return child.text or ""
    return ""
