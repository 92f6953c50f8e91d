"""A lean ListObjectsV2 page: signed here (``lean.HeadSigner``), sent with aiohttp, parsed with
the C ElementTree parser.

Why: a listing is the floor of every refresh of an S3 source (S3 has no changes feed and no
folder mtimes, so a full listing is the only way to learn what changed). Through botocore,
most of a listing's time was the client's own parsing, not the server: of a 20,000-object
refresh through ``rclone serve s3`` (bench/catalog_search.py, profiled), 7.3 s of 11.3 s
went to botocore's response parser, 5.2 s of it to dateutil reading each LastModified.
Here a page is one ``fromstring`` and ``datetime.fromisoformat`` per key.

The page has botocore's shape (``Contents`` of ``Key``, ``Size``, ``ETag``, ``LastModified``
as an aware datetime), so the object memory's LastModified strings are the same whichever
path listed an object. Keys are asked for URL-encoded (``encoding-type=url``, as botocore
does): XML 1.0 cannot carry every character a key may hold. Any reply but a well-formed
200 raises ``LookupError``; the caller then lists that page through botocore, which
retries and reports the precise error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus
from xml.etree.ElementTree import Element, ParseError, fromstring

import aiohttp

from syncoxide.native.providers.s3.lean import HeadSigner

_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
PAGE_KEYS = 1000


@dataclass(frozen=True)
class ListPage:
    contents: list[dict[str, Any]] = field(default_factory=list)
    #: The token of the next page; "" after the last.
    next_token: str = ""
    #: With a delimiter: the prefixes (``CommonPrefixes``) one level down, decoded.
    prefixes: list[str] = field(default_factory=list)


async def lean_list_page(
    session: aiohttp.ClientSession,
    signer: HeadSigner,
    bucket: str,
    *,
    prefix: str,
    token: str,
    max_keys: int = PAGE_KEYS,
    delimiter: str = "",
) -> ListPage:
    """One page of ``bucket`` under ``prefix`` after ``token`` ("" for the first page); with
    a ``delimiter``, keys below the next one are rolled up into ``prefixes``."""
    query = {"list-type": "2", "encoding-type": "url", "max-keys": str(max_keys)}
    if prefix:
        query["prefix"] = prefix
    if delimiter:
        query["delimiter"] = delimiter
    if token:
        query["continuation-token"] = token
    url, headers = signer.signed("GET", bucket, "", query=query)
    async with session.get(url, headers=headers, allow_redirects=False) as reply:
        body = await reply.read()
        if reply.status != 200:
            raise LookupError(reply.status)
    return parse_list_page(body)


def parse_list_page(body: bytes) -> ListPage:
    """A ListObjectsV2 reply's objects and next token; LookupError when it is not one."""
    try:
        root = fromstring(body)  # noqa: S314 - our own endpoint's reply; expat expands no external entities
    except ParseError as error:
        raise LookupError(f"not XML: {error}") from None
    if root.tag != f"{_NS}ListBucketResult":
        raise LookupError(f"not a listing: {root.tag}")
    encoded = _text(root, "EncodingType") == "url"
    try:
        contents = [_object(item, encoded) for item in root.iterfind(f"{_NS}Contents")]
    except (TypeError, ValueError) as error:
        raise LookupError(f"an unreadable object in the listing: {error}") from None
    prefixes = [_decoded(_text(item, "Prefix"), encoded)
                for item in root.iterfind(f"{_NS}CommonPrefixes")]  # fmt: skip
    truncated = _text(root, "IsTruncated") == "true"
    next_token = _text(root, "NextContinuationToken") if truncated else ""
    if truncated and not next_token:
        raise LookupError("a truncated listing without a continuation token")
    return ListPage(contents, next_token, prefixes)


def _object(item: Element, encoded: bool) -> dict[str, Any]:
    key = _text(item, "Key")
    return {
        "Key": _decoded(key, encoded),
        "Size": int(_text(item, "Size")),
        "ETag": _text(item, "ETag"),
        "LastModified": datetime.fromisoformat(_text(item, "LastModified")),
    }


def _decoded(text: str, encoded: bool) -> str:
    return unquote_plus(text) if encoded else text


def _text(parent: Element, name: str) -> str:
    found = parent.find(f"{_NS}{name}")
    return (found.text or "") if found is not None else ""
