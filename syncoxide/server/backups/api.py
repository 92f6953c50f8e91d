"""API operations for backups: hosted repositories and SSH keys, archives (browse, download,
restore into a provider) and provider backup rules with their runs.

Joined to the app's table like every feature's. A passphrase goes in and never comes out: a
repository answers only whether the server keeps it (``passphrase_kept``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response, StreamingResponse

from syncoxide.backup.listing import ArchiveEntry
from syncoxide.backup.names import check_archive_name
from syncoxide.native.backup.repository import ENCRYPTIONS, BorgRepository
from syncoxide.native.backup.ssh_access import SshTarget, fingerprint
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import BOOL, INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.backups import archives
from syncoxide.server.backups.restores import RestoreRequest
from syncoxide.server.backups.service import RETENTION_KEYS, BackupService
from syncoxide.server.backups.store import (
    BackupKey,
    BackupRepository,
    BackupRestore,
    BackupRule,
    BackupRun,
)
from syncoxide.server.http.ranges import attachment
from syncoxide.server.scheduling.handlers import MAX_ID, RuleHandlers, path_id

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_PATH = {"type": "string", "maxLength": 1000}
_PASSPHRASE = {"type": "string", "maxLength": 1024}
_SETTINGS = {"type": "object", "additionalProperties": STR}
_HOSTING = obj(
    ("ssh_ready", "ssh_host", "ssh_port", "ssh_login", "area", "settings"),
    ssh_ready=BOOL,
    ssh_host=STR,
    ssh_port=INT,
    ssh_login=STR,
    area=STR,
    settings=_SETTINGS,
)
#: The repository name in ``hosting``'s example settings, for people to replace with theirs.
EXAMPLE_NAME = "NAME"
_KEY = obj(
    ("id", "label", "public_key", "append_only", "quota", "created_at"),
    id=INT,
    label=STR,
    public_key=STR,
    append_only=BOOL,
    quota=STR,
    created_at=INT,
)
_REPOSITORY = obj(
    ("id", "name", "encryption", "passphrase_kept", "created_at", "settings"),
    id=INT,
    name=STR,
    encryption=STR,
    passphrase_kept=BOOL,
    created_at=INT,
    settings=_SETTINGS,
    url=STR,
    host_key=STR,
)
_IDENTITY = obj(
    ("public_key", "fingerprint", "authorized_keys"),
    public_key=STR,
    fingerprint=STR,
    authorized_keys=STR,
)
#: The path in ``identity``'s example line, for people to replace with their repository's.
EXAMPLE_PATH = "/path/to/repository"
_ARCHIVE = obj(("name", "id", "time"), name=STR, id=STR, time=INT)
_ENTRY = obj(
    ("path", "name", "kind", "size", "mtime"),
    path=STR,
    name=STR,
    kind=STR,
    size=INT,
    mtime=INT,
    link_target=STR,
)
_RETENTION = {
    "type": "object",
    "properties": {k: {"type": "integer", "minimum": 0, "maximum": 10000} for k in RETENTION_KEYS},
    "additionalProperties": False,
}
_RUN = obj(
    ("id", "rule_id", "trigger", "status", "started_at", "finished_at", "message"),
    id=INT,
    rule_id=INT,
    trigger=STR,
    status=STR,
    started_at=INT,
    finished_at=NULL_INT,
    archive=STR,
    files=INT,
    bytes=INT,
    added=INT,
    message=STR,
)
_RULE = obj(
    ("id", "name", "connection_id", "source_path", "repository_id", "schedule", "status"),
    id=INT,
    name=STR,
    connection_id=INT,
    source_path=STR,
    repository_id=INT,
    prefix=STR,
    schedule=STR,
    retention=_RETENTION,
    enabled=BOOL,
    status=STR,
    status_message=STR,
    next_run_at=INT,
    last_run_at=NULL_INT,
    created_at=INT,
    runs={"type": "array", "items": _RUN},
)
_RULE_FIELDS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "maxLength": 100},
    "source_path": _PATH,
    "prefix": {"type": "string", "maxLength": 64},
    "schedule": {"type": "string", "maxLength": 40},
    "retention": _RETENTION,
    "enabled": BOOL,
}
_RESTORE = obj(
    ("id", "repository_id", "archive", "path", "connection_id", "dest_path", "status"),
    id=INT,
    repository_id=INT,
    archive=STR,
    path=STR,
    connection_id=INT,
    dest_path=STR,
    status=STR,
    files=INT,
    bytes=INT,
    files_total=INT,
    bytes_total=INT,
    cancel_requested=BOOL,
    message=STR,
    started_at=INT,
    finished_at=NULL_INT,
)
_RESTORE_PATH = "/backups/restores/{restore_id:int}"


def backups_of(connection: HTTPConnection) -> BackupService:
    service: BackupService = connection.app.state.backups
    return service


def _archive(call: Call) -> str:
    # Text no database stores was refused by the router (api/routing.py) before this.
    return check_archive_name(call.request.path_params["archive"])


def _path_query(call: Call) -> str:
    raw = call.request.query_params.get("path", "")
    if len(raw) > 4096:
        raise ApiError(400, "bad_query", "'path' is longer than 4096 characters.")
    return archives.clean_archive_path(raw)


def key_json(key: BackupKey) -> dict[str, Any]:
    return {k: v for k, v in key.__dict__.items() if k != "user_id"}


async def repository_json(service: BackupService, repository: BackupRepository) -> dict[str, Any]:
    """A repository as the API shows it: hosted ones with the borg and Vorta settings to reach
    them, ones on the user's own SSH server with their pinned host key and the line that lets
    this server in there."""
    if repository.url:
        target = SshTarget.parse(repository.url)
        line = await service.identities.suggested_line(repository.user_id, target.path)
        settings = {"repository_url": repository.url, "authorized_keys": line}
    else:
        settings = service.client_settings(repository.user_id, repository.name)
    return {
        "id": repository.id,
        "name": repository.name,
        "encryption": repository.encryption,
        "passphrase_kept": bool(repository.passphrase),
        "created_at": repository.created_at,
        "settings": settings,
        "url": repository.url,
        "host_key": fingerprint(repository.host_key) if repository.host_key else "",
    }


def restore_json(restore: BackupRestore) -> dict[str, Any]:
    return {k: v for k, v in restore.__dict__.items() if k != "user_id"}


def entry_json(entry: ArchiveEntry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "name": entry.path.rsplit("/", 1)[-1],
        "kind": entry.kind,
        "size": entry.size,
        "mtime": int(entry.mtime.timestamp()),
        "link_target": entry.link_target,
    }


# hosting and keys


async def hosting(call: Call) -> dict[str, Any]:
    service = backups_of(call.request)
    settings = service.hosting
    return {
        "ssh_ready": settings.ssh_ready,
        "ssh_host": settings.ssh_host,
        "ssh_port": settings.ssh_port,
        "ssh_login": settings.ssh_login,
        "area": str(service.hosted.prepare_area(call.user.id)),  # ready for `borg init` over SSH
        "settings": service.client_settings(call.user.id, EXAMPLE_NAME),
    }


async def identity(call: Call) -> dict[str, Any]:
    """The public key this server uses for your own SSH servers (made on first ask)."""
    identities = backups_of(call.request).identities
    public = await identities.public_key(call.user.id)
    return {
        "public_key": public,
        "fingerprint": fingerprint(public),
        "authorized_keys": await identities.suggested_line(call.user.id, EXAMPLE_PATH),
    }


async def list_keys(call: Call) -> dict[str, Any]:
    found = await backups_of(call.request).store.user_keys(call.user.id)
    return {"keys": [key_json(k) for k in found]}


async def add_key(call: Call) -> dict[str, Any]:
    body = call.json
    added = await backups_of(call.request).keys.add(
        call.user.id,
        body["public_key"],
        label=body.get("label", ""),
        append_only=body.get("append_only", False),
        quota=body.get("quota") or None,
    )
    return key_json(added)


async def delete_key(call: Call) -> None:
    await backups_of(call.request).keys.delete(call.user.id, path_id(call, "key_id"))


# repositories


async def list_repositories(call: Call) -> dict[str, Any]:
    service = backups_of(call.request)
    found = await service.store.user_repositories(call.user.id)
    return {"repositories": [await repository_json(service, r) for r in found]}


async def create_repository(call: Call) -> dict[str, Any]:
    service = backups_of(call.request)
    body = call.json
    added = await service.repositories.create(
        call.user.id,
        body["name"],
        body.get("passphrase", ""),
        encryption=body.get("encryption", ENCRYPTIONS[0]),
        make=body.get("create", True),
        keep_passphrase=body.get("keep_passphrase", True),
        url=body.get("url", "").strip(),
    )
    return await repository_json(service, added)


async def keep_passphrase(call: Call) -> dict[str, Any]:
    service = backups_of(call.request)
    repository_id = path_id(call, "repository_id")
    updated = await service.repositories.keep_passphrase(
        call.user.id, repository_id, call.json["passphrase"]
    )
    return await repository_json(service, updated)


async def forget_passphrase(call: Call) -> dict[str, Any]:
    service = backups_of(call.request)
    repository_id = path_id(call, "repository_id")
    updated = await service.repositories.forget_passphrase(call.user.id, repository_id)
    return await repository_json(service, updated)


async def forget_repository(call: Call) -> None:
    service = backups_of(call.request)
    await service.repositories.forget(call.user.id, path_id(call, "repository_id"))


# archives


async def _opened(call: Call) -> BorgRepository:
    service = backups_of(call.request)
    repository = await service.repositories.get(call.user.id, path_id(call, "repository_id"))
    return await service.repositories.open(repository)


async def list_archives(call: Call) -> dict[str, Any]:
    summary = await (await _opened(call)).summary()
    listed = [
        {"name": a.name, "id": a.id, "time": int(a.time.timestamp())}
        for a in sorted(summary.archives, key=lambda a: a.time, reverse=True)
    ]
    return {"archives": listed, "encryption": summary.encryption}


async def browse_archive(call: Call) -> dict[str, Any]:
    path = _path_query(call)
    found = await archives.browse(await _opened(call), _archive(call), path)
    return {"path": path, "entries": [entry_json(e) for e in found]}


async def download_file(call: Call) -> Response:
    borg, archive, path = await _opened(call), _archive(call), _path_query(call)
    entry = await archives.one_file(borg, archive, path)
    headers = {
        "Content-Length": str(entry.size),
        "Content-Disposition": attachment(path.rsplit("/", 1)[-1]),
        "Cache-Control": "no-store",
    }
    body = borg.file_bytes(archive, path)
    return StreamingResponse(body, media_type="application/octet-stream", headers=headers)


async def download_zip(call: Call) -> Response:
    borg, archive, path = await _opened(call), _archive(call), _path_query(call)
    await archives.browse(borg, archive, path)  # a 404 now, not a cut download later
    name = (path.rsplit("/", 1)[-1] or archive) + ".zip"
    headers = {"Content-Disposition": attachment(name), "Cache-Control": "no-store"}
    body = archives.zip_bytes(borg, archive, path)
    return StreamingResponse(body, media_type="application/zip", headers=headers)


async def restore_archive(call: Call) -> dict[str, Any]:
    body = call.json
    request = RestoreRequest(
        repository_id=path_id(call, "repository_id"),
        archive=_archive(call),
        path=body.get("path", ""),
        connection_id=body["connection_id"],
        dest_path=body.get("dest_path", ""),
    )
    return restore_json(await backups_of(call.request).restores.start(call.user.id, request))


async def list_restores(call: Call) -> dict[str, Any]:
    found = await backups_of(call.request).store.user_restores(call.user.id, 50)
    return {"restores": [restore_json(r) for r in found]}


async def get_restore(call: Call) -> dict[str, Any]:
    restores = backups_of(call.request).restores
    return restore_json(await restores.get(call.user.id, path_id(call, "restore_id")))


async def cancel_restore(call: Call) -> dict[str, Any]:
    restores = backups_of(call.request).restores
    return restore_json(await restores.cancel(call.user.id, path_id(call, "restore_id")))


async def restart_restore(call: Call) -> dict[str, Any]:
    restores = backups_of(call.request).restores
    return restore_json(await restores.restart(call.user.id, path_id(call, "restore_id")))


# provider backup rules


#: List, create, read, change, delete and run now: the handlers every scheduled rule shares.
_RULES: RuleHandlers[BackupRule, BackupRun] = RuleHandlers(backups_of, "backup_rule_id")


_REPO = "/backups/repositories/{repository_id:int}"
_ARCHIVE_PATH = _REPO + "/archives/{archive}"
_RULE_PATH = "/backups/rules/{backup_rule_id:int}"
_PATH_QUERY = (("path", {"type": "string", "maxLength": 4096}),)

BACKUP_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/backups/hosting",
        hosting,
        "How to reach your hosted borg repositories over SSH",
        answer=_HOSTING,
    ),
    Operation(
        "GET",
        "/backups/identity",
        identity,
        "The SSH key the server uses for your own SSH servers, with an authorized_keys line",
        answer=_IDENTITY,
    ),
    Operation(
        "GET",
        "/backups/keys",
        list_keys,
        "Your SSH keys for hosted repositories",
        answer=obj(("keys",), keys={"type": "array", "items": _KEY}),
    ),
    Operation(
        "POST",
        "/backups/keys",
        add_key,
        "Register an SSH public key (forced to borg serve in your area)",
        body=obj(
            ("public_key",),
            public_key={"type": "string", "maxLength": 16384},
            label={"type": "string", "maxLength": 100},
            append_only=BOOL,
            quota={"type": "string", "maxLength": 20},
        ),
        answer=_KEY,
        status=201,
    ),
    Operation("DELETE", "/backups/keys/{key_id:int}", delete_key, "Remove an SSH key", status=204),
    Operation(
        "GET",
        "/backups/repositories",
        list_repositories,
        "Your hosted repositories, with the borg and Vorta settings to reach each",
        answer=obj(("repositories",), repositories={"type": "array", "items": _REPOSITORY}),
    ),
    Operation(
        "POST",
        "/backups/repositories",
        create_repository,
        "Make a hosted repository (or register one made over SSH: create false), or one on "
        "your own SSH server (url)",
        body=obj(
            ("name",),
            name={"type": "string", "maxLength": 64},
            url={"type": "string", "maxLength": 1000},
            passphrase=_PASSPHRASE,
            encryption={"type": "string", "enum": list(ENCRYPTIONS)},
            create=BOOL,
            keep_passphrase=BOOL,
        ),
        answer=_REPOSITORY,
        status=201,
    ),
    Operation(
        "PUT",
        _REPO + "/passphrase",
        keep_passphrase,
        "Let the server keep the passphrase, sealed (checked against the repository first)",
        body=obj(("passphrase",), passphrase=_PASSPHRASE),
        answer=_REPOSITORY,
    ),
    Operation(
        "DELETE",
        _REPO + "/passphrase",
        forget_passphrase,
        "The server forgets the passphrase (its backup rules stop working)",
        answer=_REPOSITORY,
    ),
    Operation(
        "DELETE",
        _REPO,
        forget_repository,
        "Forget a repository and its rules; its files stay in your area",
        status=204,
    ),
    Operation(
        "GET",
        _REPO + "/archives",
        list_archives,
        "A repository's archives, newest first",
        answer=obj(
            ("archives", "encryption"),
            archives={"type": "array", "items": _ARCHIVE},
            encryption=STR,
        ),
    ),
    Operation(
        "GET",
        _ARCHIVE_PATH + "/entries",
        browse_archive,
        "The files and folders directly inside a folder of an archive",
        answer=obj(("path", "entries"), path=STR, entries={"type": "array", "items": _ENTRY}),
        query=_PATH_QUERY,
    ),
    Operation(
        "GET",
        _ARCHIVE_PATH + "/file",
        download_file,
        "Download one file of an archive",
        query=_PATH_QUERY,
    ),
    Operation(
        "GET",
        _ARCHIVE_PATH + "/zip",
        download_zip,
        "Download a folder of an archive (or all of it) as a zip",
        query=_PATH_QUERY,
    ),
    Operation(
        "POST",
        _ARCHIVE_PATH + "/restore",
        restore_archive,
        "Restore a file or folder of an archive into a provider connection",
        body=obj(("connection_id",), connection_id=_ID, path=_PATH, dest_path=_PATH),
        answer=_RESTORE,
        status=202,
    ),
    Operation(
        "GET",
        "/backups/restores",
        list_restores,
        "Your restores into providers, newest first",
        answer=obj(("restores",), restores={"type": "array", "items": _RESTORE}),
    ),
    Operation(
        "GET",
        _RESTORE_PATH,
        get_restore,
        "One restore: files and bytes done of the total, its status and message",
        answer=_RESTORE,
    ),
    Operation(
        "POST",
        _RESTORE_PATH + "/cancel",
        cancel_restore,
        "Stop a running restore (files written so far stay, whole files only)",
        answer=_RESTORE,
        status=202,
    ),
    Operation(
        "POST",
        _RESTORE_PATH + "/restart",
        restart_restore,
        "Start an interrupted, failed or cancelled restore again, as a new restore",
        answer=_RESTORE,
        status=202,
    ),
    Operation(
        "GET",
        "/backups/rules",
        _RULES.list_rules,
        "Your provider backup rules, each with its last runs",
        answer=obj(("rules",), rules={"type": "array", "items": _RULE}),
    ),
    Operation(
        "POST",
        "/backups/rules",
        _RULES.create_rule,
        "Back up a provider folder into a repository on a schedule, on the server",
        body=obj(
            ("connection_id", "repository_id"),
            connection_id=_ID,
            repository_id=_ID,
            **_RULE_FIELDS,
        ),
        answer=_RULE,
        status=201,
    ),
    Operation("GET", _RULE_PATH, _RULES.get_rule, "A backup rule and its last runs", answer=_RULE),
    Operation(
        "PATCH",
        _RULE_PATH,
        _RULES.update_rule,
        "Change a backup rule (schedule, retention, folder, enabled)",
        body=obj((), **_RULE_FIELDS),
        answer=_RULE,
    ),
    Operation("DELETE", _RULE_PATH, _RULES.delete_rule, "Delete a backup rule", status=204),
    Operation(
        "POST",
        _RULE_PATH + "/run",
        _RULES.run_rule,
        "Run a backup rule now, on the server",
        answer=_RULE,
        status=202,
    ),
)
