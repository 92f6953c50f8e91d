"""What every catalog API operation shares: where it lives, an indexed entry as JSON and its
schema, the page size a caller may ask for, and the services a handler reaches."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.catalog.model import CatalogEntry
from syncoxide.server.accountshares.service import AccountShareService
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import BOOL, INT, STR, Call, obj
from syncoxide.server.catalog.service import CatalogService

BASE = "/catalog"
MAX_ID = 2**62
MAX_PAGE = 1000
DIGITS = re.compile(r"[0-9]{1,19}")
PLACE = {"type": "string", "maxLength": 4200}
ENTRY = obj(
    ("location", "source", "path", "kind", "size", "mtime_ns", "content_hash", "mime"),
    location=STR,
    source=STR,
    path=STR,
    kind={"type": "string", "enum": ["file", "dir"]},
    size=INT,
    mtime_ns=INT,
    content_hash=STR,
    mime=STR,
    owner=STR,
    shared=BOOL,
    id=INT,
    link=STR,
)
ENTRIES = obj(("entries",), entries={"type": "array", "items": ENTRY})
LIMIT = ("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE})


def catalog_of(connection: HTTPConnection) -> CatalogService:
    found: CatalogService = connection.app.state.catalog
    return found


def shares_of(connection: HTTPConnection) -> AccountShareService:
    found: AccountShareService = connection.app.state.account_shares
    return found


def entry_json(entry: CatalogEntry) -> dict[str, Any]:
    return {
        "location": entry.location,
        "source": entry.source,
        "path": entry.path,
        "kind": entry.kind,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "content_hash": entry.content_hash,
        "mime": entry.mime,
        "owner": entry.owner,
        "shared": entry.shared,
        "id": entry.id,
        "link": file_link(entry.id),
    }


def entries_json(entries: Iterable[CatalogEntry]) -> dict[str, Any]:
    return {"entries": [entry_json(e) for e in entries]}


def file_link(entry_id: int) -> str:
    """The stable link to an indexed file or folder; it opens in the app for its owner only."""
    return f"/f/{entry_id}" if entry_id else ""


def page_limit(call: Call, default: int = 100) -> int:
    raw = call.request.query_params.get("limit", str(default))
    if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise ApiError(400, "bad_query", f"'limit' must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)
