"""API operations for the caller's own files on this server, under ``/api/v1/storage``.

Joined to the API's table (``server.composition.api_table``) like every feature's, so they are
routed, authorized (token, or session + CSRF) and described in OpenAPI the same way. Paths
travel in the query (``?path=photos/a.jpg``) or the JSON body, never in the URL path, so every
name arrives exactly as written. Large uploads go through tus (``files.uploads``) and are named
with ``POST /storage/commit``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

from syncoxide.errors import (
    AlreadyExistsError,
    DirectoryNotEmptyError,
    IntegrityError,
    SyncoxideError,
)
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import INT, STR, Call, Operation, obj
from syncoxide.server.files.service import FileService, QuotaExceededError, StorageFullError
from syncoxide.server.files.store import StoredEntry
from syncoxide.server.http.ranges import (
    UnsatisfiableRange,
    attachment,
    not_satisfiable,
    ranged_response,
    requested_range,
)

BASE = "/storage"
MAX_PAGE = 5000
MTIME_LIMIT = 2**62
_PATH = {"type": "string", "maxLength": 4096}
_MTIME = {"type": "integer", "minimum": -MTIME_LIMIT, "maximum": MTIME_LIMIT}
_SHA1 = {"type": "string", "maxLength": 40}
_ENTRY = obj(
    ("path", "kind", "size", "mtime_ns", "sha1", "sha256"),
    path=STR,
    kind={"type": "string", "enum": ["file", "dir"]},
    size=INT,
    mtime_ns=INT,
    sha1=STR,
    sha256=STR,
)
_TWO_PATHS = obj(("source", "target"), source=_PATH, target=_PATH)
_BOOL_QUERY = {"type": "boolean"}
# Statuses for failures that are the caller's to fix, by class (the API's table has the rest).
_STATUS = (
    (QuotaExceededError, 413),
    (StorageFullError, 507),
    (AlreadyExistsError, 409),
    (DirectoryNotEmptyError, 409),
    (IntegrityError, 422),
)


def files_of(connection: HTTPConnection) -> FileService:
    service: FileService = connection.app.state.files
    return service


def entry_json(entry: StoredEntry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "kind": entry.kind,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "sha1": entry.sha1,
        "sha256": entry.sha256,
    }


def _translated(handler: Callable[[Call], Awaitable[Any]]) -> Callable[[Call], Awaitable[Any]]:
    @wraps(handler)
    async def translated(call: Call) -> Any:
        try:
            return await handler(call)
        except SyncoxideError as error:
            status = next((s for cls, s in _STATUS if isinstance(error, cls)), None)
            if status is None:
                raise
            raise ApiError(status, error.code, str(error)) from None

    return translated


def _query(call: Call, name: str, default: str | None = None) -> str:
    value = call.request.query_params.get(name, default)
    if value is None:
        raise ApiError(400, "bad_query", f"Give '{name}' in the query.")
    return value


def _optional_mtime(call: Call) -> int | None:
    """The ``mtime_ns`` query, or None when absent: the server then stamps the commit time."""
    if "mtime_ns" not in call.request.query_params:
        return None
    return call.int_query("mtime_ns", 0, -MTIME_LIMIT, MTIME_LIMIT)


def _flag(call: Call, name: str) -> bool:
    raw = call.request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise ApiError(400, "bad_query", f"'{name}' must be true or false.")
    return raw in ("true", "1")


@_translated
async def list_storage(call: Call) -> dict[str, Any]:
    limit = call.int_query("limit", 1000, 1, MAX_PAGE)
    folder, after = _query(call, "path", ""), _query(call, "after", "")
    entries = files_of(call.request).listing(
        call.user.id, folder, after=after, limit=limit, recursive=_flag(call, "recursive")
    )
    more = len(entries) == limit
    return {
        "entries": [entry_json(e) for e in entries],
        "next_after": entries[-1].path if more else None,
    }


@_translated
async def stat_storage(call: Call) -> dict[str, Any]:
    return entry_json(files_of(call.request).entry(call.user.id, _query(call, "path")))


@_translated
async def download_storage(call: Call) -> Response:
    files = files_of(call.request)
    file = files.file(call.user.id, _query(call, "path"))
    etag = f'"{file.sha1}"'
    try:
        chosen = requested_range(call.request, file.size, etag)
    except UnsatisfiableRange:
        return not_satisfiable(file.size)
    start, length = (chosen.start, chosen.length) if chosen else (0, file.size)
    headers = {
        "ETag": etag,
        "Content-Disposition": attachment(file.path.rsplit("/", 1)[-1]),
        "Last-Modified-Ns": str(file.mtime_ns),
    }
    body = files.read(file, start, length)
    if start == 0:  # a resumed download is the same opening, not another one
        files.note_opened(call.user.id, file.path)
    return ranged_response(call.request, body=body, size=file.size, chosen=chosen, headers=headers)


@_translated
async def upload_storage(call: Call) -> dict[str, Any]:
    sha1 = call.request.query_params.get("sha1")
    files_of(call.request).check_api_write(call.user.id, _query(call, "path"))
    entry = await files_of(call.request).put(
        call.user.id,
        _query(call, "path"),
        call.request.stream(),
        mtime_ns=_optional_mtime(call),
        expected_sha1=sha1,
    )
    return entry_json(entry)


@_translated
async def commit_storage_upload(call: Call) -> dict[str, Any]:
    body = call.json
    files_of(call.request).check_api_write(call.user.id, body["path"])
    entry = await files_of(call.request).commit_upload(
        call.user.id,
        body["upload"],
        body["path"],
        mtime_ns=body.get("mtime_ns"),
        expected_sha1=body.get("sha1"),
    )
    return entry_json(entry)


@_translated
async def make_storage_folder(call: Call) -> dict[str, Any]:
    files_of(call.request).check_api_write(call.user.id, call.json["path"])
    return entry_json(files_of(call.request).mkdir(call.user.id, call.json["path"]))


@_translated
async def delete_storage(call: Call) -> None:
    files_of(call.request).check_api_write(call.user.id, _query(call, "path"))
    await files_of(call.request).delete(
        call.user.id, _query(call, "path"), _flag(call, "recursive")
    )


@_translated
async def move_storage(call: Call) -> dict[str, Any]:
    body = call.json
    files_of(call.request).check_api_write(call.user.id, body["source"], body["target"])
    return entry_json(files_of(call.request).move(call.user.id, body["source"], body["target"]))


@_translated
async def copy_storage(call: Call) -> dict[str, Any]:
    body = call.json
    files_of(call.request).check_api_write(call.user.id, body["target"])
    copied = await files_of(call.request).copy(call.user.id, body["source"], body["target"])
    return entry_json(copied)


@_translated
async def set_storage_mtime(call: Call) -> dict[str, Any]:
    body = call.json
    files_of(call.request).check_api_write(call.user.id, body["path"])
    changed = files_of(call.request).set_mtime(call.user.id, body["path"], body["mtime_ns"])
    return entry_json(changed)


@_translated
async def storage_usage(call: Call) -> dict[str, Any]:
    files = files_of(call.request)
    return {
        "used": files.store.bytes_of_user(call.user.id),
        "room": await files.room(call.user.id),
    }


_PATH_QUERY = ("path", _PATH)
STORAGE_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        BASE,
        list_storage,
        "A folder of your files on this server (or its whole tree), in pages sorted by path",
        answer=obj(
            ("entries", "next_after"),
            entries={"type": "array", "items": _ENTRY},
            next_after={"type": ["string", "null"]},
        ),
        query=(
            _PATH_QUERY,
            ("recursive", _BOOL_QUERY),
            ("after", _PATH),
            ("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        ),
    ),
    Operation(
        "GET", BASE + "/stat", stat_storage, "A file or folder", answer=_ENTRY, query=(_PATH_QUERY,)
    ),
    Operation(
        "GET",
        BASE + "/content",
        download_storage,
        "A file's bytes (Range supported)",
        query=(_PATH_QUERY,),
    ),
    Operation(
        "PUT",
        BASE + "/content",
        upload_storage,
        "Store the request body as a file (small files; large ones go through tus)",
        answer=_ENTRY,
        query=(_PATH_QUERY, ("mtime_ns", _MTIME), ("sha1", _SHA1)),
    ),
    Operation(
        "POST",
        BASE + "/commit",
        commit_storage_upload,
        "Name a finished tus upload (from /storage/uploads/) as a file",
        body=obj(
            ("upload", "path"),
            upload={"type": "string", "maxLength": 100},
            path=_PATH,
            mtime_ns=_MTIME,
            sha1=_SHA1,
        ),
        answer=_ENTRY,
        status=201,
    ),
    Operation(
        "POST",
        BASE + "/folders",
        make_storage_folder,
        "Create a folder and its parents",
        body=obj(("path",), path=_PATH),
        answer=_ENTRY,
        status=201,
    ),
    Operation(
        "DELETE",
        BASE,
        delete_storage,
        "Delete a file, an empty folder, or (recursive=true) a folder and all inside it",
        status=204,
        query=(_PATH_QUERY, ("recursive", _BOOL_QUERY)),
    ),
    Operation(
        "POST",
        BASE + "/move",
        move_storage,
        "Move or rename a file or folder (never over an existing one)",
        body=_TWO_PATHS,
        answer=_ENTRY,
    ),
    Operation(
        "POST",
        BASE + "/copy",
        copy_storage,
        "Copy a file on the server (never over an existing one)",
        body=_TWO_PATHS,
        answer=_ENTRY,
        status=201,
    ),
    Operation(
        "PUT",
        BASE + "/mtime",
        set_storage_mtime,
        "Set a file's modification time (nanoseconds since the epoch)",
        body=obj(("path", "mtime_ns"), path=_PATH, mtime_ns=_MTIME),
        answer=_ENTRY,
    ),
    Operation(
        "GET",
        BASE + "/usage",
        storage_usage,
        "Bytes your files hold, and the room left under the quota (null: no quota)",
        answer=obj(("used", "room"), used=INT, room={"type": ["integer", "null"]}),
    ),
)
