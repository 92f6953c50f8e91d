"""API operations of provider-side history, under ``/api/v1/catalog/provider-versions``: the
versions a connection's provider keeps of a file (S3 object versions, Drive and Dropbox
revisions), and restoring one."""

from __future__ import annotations

from typing import Any

from syncoxide.catalog.model import parse_location
from syncoxide.providers.contract import ProviderVersion
from syncoxide.server.api.spec import BOOL, INT, STR, Call, Operation, obj
from syncoxide.server.catalog import provider_history
from syncoxide.server.catalog.entries_json import BASE, MAX_PAGE, entry_json
from syncoxide.server.catalog.service import CatalogService

_PLACE = {"type": "string", "maxLength": 4200}
_VERSION_ID = {"type": "string", "minLength": 1, "maxLength": 1024}
_VERSION = obj(
    ("version_id", "size", "stored_ns", "current"),
    version_id=STR,
    size=INT,
    stored_ns=INT,
    current=BOOL,
)


def _catalog(call: Call) -> CatalogService:
    found: CatalogService = call.request.app.state.catalog
    return found


def version_json(version: ProviderVersion) -> dict[str, Any]:
    return {
        "version_id": version.version_id,
        "size": version.size,
        "stored_ns": version.stored_ns,
        "current": version.current,
    }


async def provider_versions(call: Call) -> dict[str, Any]:
    place = parse_location(call.request.query_params.get("location", ""), root_ok=False)
    found = await provider_history.provider_versions(_catalog(call), call.user.id, place)
    return {"versions": [version_json(v) for v in found[:MAX_PAGE]]}


async def restore_provider_version(call: Call) -> dict[str, Any]:
    place = parse_location(call.json["location"], root_ok=False)
    entry = await provider_history.restore_provider_version(
        _catalog(call), call.user.id, place, version_id=call.json["version_id"]
    )
    return entry_json(entry)


PROVIDER_HISTORY_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE + "/provider-versions",
        provider_versions,
        "Versions a connection's provider keeps of a file itself (S3 object versions, Drive"
        " and Dropbox revisions), newest first (location=PROVIDER:path)",
        answer=obj(("versions",), versions={"type": "array", "items": _VERSION}),
        query=(("location", _PLACE),),
    ),
    Operation(
        "POST",
        BASE + "/provider-versions/restore",
        restore_provider_version,
        "Make a provider-kept version current again; the provider keeps the one it replaces",
        body=obj(("location", "version_id"), location=_PLACE, version_id=_VERSION_ID),
    ),
)
