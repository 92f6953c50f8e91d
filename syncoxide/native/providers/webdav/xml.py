"""The XML of WebDAV (RFC 4918): PROPFIND and PROPPATCH bodies, and multistatus replies.

Our own dead properties live in the ``urn:syncoxide:props`` namespace: ``mtime`` (ns since
the epoch), ``sha1``/``md5`` (hex), ``size`` and ``written`` (client clock, s) which together
tell whether a later foreign PUT may have made them stale (see ``webdav``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from syncoxide.errors import RemoteProtocolError

DAV = "DAV:"
SX = "urn:syncoxide:props"
OWN_PROPS = ("mtime", "sha1", "md5", "size", "written")

PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<d:propfind xmlns:d="DAV:" xmlns:sx="{SX}"><d:prop>'
    "<d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/>"
    + "".join(f"<sx:{name}/>" for name in OWN_PROPS)
    + "</d:prop></d:propfind>"
).encode()


def proppatch_body(values: dict[str, str]) -> bytes:
    props = "".join(f"<sx:{name}>{escape(value)}</sx:{name}>" for name, value in values.items())
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<d:propertyupdate xmlns:d="DAV:" xmlns:sx="{SX}">'
        f"<d:set><d:prop>{props}</d:prop></d:set></d:propertyupdate>"
    ).encode()


@dataclass(frozen=True)
class Resource:
    """One ``<d:response>``: its decoded URL path and the properties that came back 200."""

    path: str
    is_collection: bool
    size: int
    modified_ns: int
    etag: str | None
    own: dict[str, str]


def _text(props: ElementTree.Element, tag: str) -> str | None:
    found = props.find(tag)
    return None if found is None or found.text is None else found.text.strip()


def _modified_ns(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(parsedate_to_datetime(value).timestamp()) * 10**9
    except (TypeError, ValueError):
        return 0


def _resource(response: ElementTree.Element) -> Resource:
    href = response.findtext(f"{{{DAV}}}href") or ""
    props = ElementTree.Element("merged")
    for propstat in response.findall(f"{{{DAV}}}propstat"):
        if " 200 " in (propstat.findtext(f"{{{DAV}}}status") or " 200 "):
            for prop in propstat.findall(f"{{{DAV}}}prop"):
                props.extend(list(prop))
    kind = props.find(f"{{{DAV}}}resourcetype")
    is_collection = kind is not None and kind.find(f"{{{DAV}}}collection") is not None
    own = {name: _text(props, f"{{{SX}}}{name}") for name in OWN_PROPS}
    return Resource(
        path=unquote(urlsplit(href).path),
        is_collection=is_collection,
        size=int(_text(props, f"{{{DAV}}}getcontentlength") or 0),
        modified_ns=_modified_ns(_text(props, f"{{{DAV}}}getlastmodified")),
        etag=_text(props, f"{{{DAV}}}getetag"),
        own={name: value for name, value in own.items() if value},
    )


def parse_multistatus(body: bytes) -> list[Resource]:
    try:
        # The stdlib parser resolves no external entities, and expat (>= 2.4) caps entity
        # expansion, so a hostile server cannot make this read files or eat memory.
        root = ElementTree.fromstring(body)  # noqa: S314
        return [_resource(item) for item in root.findall(f"{{{DAV}}}response")]
    except (ElementTree.ParseError, ValueError) as error:
        raise RemoteProtocolError(
            f"The WebDAV server sent an unreadable listing: {error}."
        ) from error
