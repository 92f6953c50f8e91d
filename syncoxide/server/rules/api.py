"""API operations for provider connections, sync rules, their runs, and the files view.

Joined to the API's table by the app like every feature's. Secrets go in (``options``) and
never come out: a connection answers with its plain options and the names of its secrets.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import BOOL, INT, NULL_INT, STR, Call, Operation, obj
from syncoxide.server.rules.connections import SERVER_TYPES
from syncoxide.server.rules.consent_routes import callback_url
from syncoxide.server.rules.service import (
    CONFLICTS,
    MAX_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
    MODES,
    RuleService,
)
from syncoxide.server.rules.store import Connection, Rule, RuleRun
from syncoxide.server.scheduling.handlers import MAX_ID, RuleHandlers, path_id, rule_json

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_PATH = {"type": "string", "maxLength": 1000}
_OPTIONS = {
    "type": "object",
    "additionalProperties": {"type": "string", "maxLength": 4096},
    "maxProperties": 20,
}
_CONNECTION = obj(
    ("id", "name", "kind", "options", "secrets", "state", "state_message", "created_at"),
    id=INT,
    name=STR,
    kind=STR,
    options={"type": "object", "additionalProperties": STR},
    secrets={"type": "array", "items": STR},
    state=STR,
    state_message=STR,
    created_at=INT,
    checked_at=NULL_INT,
)
_RUN = obj(
    ("id", "rule_id", "trigger", "status", "started_at", "finished_at", "actions", "failed"),
    id=INT,
    rule_id=INT,
    trigger=STR,
    status=STR,
    started_at=INT,
    finished_at=NULL_INT,
    actions=INT,
    failed=INT,
    conflicts=INT,
    bytes=INT,
    message=STR,
    details={"type": "object"},
)
_RULE = obj(
    ("id", "name", "source_id", "source_path", "dest_id", "dest_path", "mode", "status"),
    id=INT,
    name=STR,
    source_id=INT,
    source_path=STR,
    dest_id=INT,
    dest_path=STR,
    mode=STR,
    conflict=STR,
    interval_seconds=INT,
    enabled=BOOL,
    status=STR,
    status_message=STR,
    next_run_at=INT,
    last_run_at=NULL_INT,
    created_at=INT,
    on_change=BOOL,
    runs={"type": "array", "items": _RUN},
)
_RULE_FIELDS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "maxLength": 100},
    "source_path": _PATH,
    "dest_path": _PATH,
    "mode": {"type": "string", "enum": list(MODES)},
    "conflict": {"type": "string", "enum": list(CONFLICTS)},
    "interval_seconds": {
        "type": "integer",
        "minimum": MIN_INTERVAL_SECONDS,
        "maximum": MAX_INTERVAL_SECONDS,
    },
    "enabled": BOOL,
    "on_change": BOOL,
}


def rules_of(connection: HTTPConnection) -> RuleService:
    service: RuleService = connection.app.state.rules
    return service


def connection_json(connection: Connection) -> dict[str, Any]:
    return {
        "id": connection.id,
        "name": connection.name,
        "kind": connection.kind,
        "options": connection.options,
        "secrets": sorted(connection.secrets),
        "state": connection.state,
        "state_message": connection.state_message,
        "created_at": connection.created_at,
        "checked_at": connection.checked_at,
    }


def _check_failed(message: str) -> ApiError:
    return ApiError(422, "connection_failed", message)


async def list_connections(call: Call) -> dict[str, Any]:
    found = await rules_of(call.request).store.connections(call.user.id)
    return {"connections": [connection_json(c) for c in found]}


async def create_connection(call: Call) -> dict[str, Any]:
    service = rules_of(call.request)
    body = call.json
    added, result = await service.connections.add(
        call.user.id, body["name"], body["kind"], body.get("options", {})
    )
    if added is None:
        raise _check_failed(f"The connection was not saved: {result.message}")
    return connection_json(added)


async def start_consent(call: Call) -> dict[str, Any]:
    body = call.json
    address = rules_of(call.request).consents.start(
        call.user.id,
        body["name"],
        body["kind"],
        body.get("options", {}),
        redirect_uri=callback_url(call.request),
    )
    return {"authorize_url": address}


async def update_connection(call: Call) -> dict[str, Any]:
    service = rules_of(call.request)
    connection = await service.connection(call.user.id, path_id(call, "connection_id"))
    updated, result = await service.connections.update(connection, call.json.get("options", {}))
    if not result.ok:
        raise _check_failed(f"Nothing was changed: {result.message}")
    await service.reconnected(updated)
    return connection_json(updated)


async def test_connection(call: Call) -> dict[str, Any]:
    service = rules_of(call.request)
    connection = await service.connection(call.user.id, path_id(call, "connection_id"))
    checked, _ = await service.connections.test(connection)
    await service.reconnected(checked)
    return connection_json(checked)


async def delete_connection(call: Call) -> None:
    service = rules_of(call.request)
    connection = await service.connection(call.user.id, path_id(call, "connection_id"))
    await service.delete_connection(connection)


#: List, create, read, change, delete and run now: the handlers every scheduled rule shares.
_RULES: RuleHandlers[Rule, RuleRun] = RuleHandlers(rules_of, "rule_id")


async def proceed_rule(call: Call) -> dict[str, Any]:
    service = rules_of(call.request)
    return rule_json(await service.proceed(call.user.id, path_id(call, "rule_id")))


async def list_rule_runs(call: Call) -> dict[str, Any]:
    service = rules_of(call.request)
    runs = await service.runs(call.user.id, path_id(call, "rule_id"), 100)
    return {"runs": [dict(r.__dict__) for r in runs]}


_CONNECTION_PATH = "/connections/{connection_id:int}"
_RULE_PATH = "/rules/{rule_id:int}"

RULE_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/connections",
        list_connections,
        "The caller's provider connections",
        answer=obj(("connections",), connections={"type": "array", "items": _CONNECTION}),
    ),
    Operation(
        "POST",
        "/connections",
        create_connection,
        "Connect a provider (checked first; secrets stored sealed)",
        body=obj(
            ("name", "kind", "options"),
            name={"type": "string", "maxLength": 63},
            kind={"type": "string", "enum": sorted(SERVER_TYPES)},
            options=_OPTIONS,
        ),
        answer=_CONNECTION,
        status=201,
    ),
    Operation(
        "POST",
        "/connections/consent",
        start_consent,
        "Start connecting Google Drive or Dropbox through its consent screen",
        body=obj(
            ("name", "kind", "options"),
            name={"type": "string", "maxLength": 63},
            kind={"type": "string", "enum": ["gdrive", "dropbox"]},
            options=_OPTIONS,
        ),
        answer=obj(("authorize_url",), authorize_url=STR),
    ),
    Operation(
        "PUT",
        _CONNECTION_PATH,
        update_connection,
        "Reconnect: replace some options (new credentials), checked first",
        body=obj((), options=_OPTIONS),
        answer=_CONNECTION,
    ),
    Operation(
        "POST",
        _CONNECTION_PATH + "/test",
        test_connection,
        "Check that the provider still accepts the connection",
        answer=_CONNECTION,
    ),
    Operation(
        "DELETE",
        _CONNECTION_PATH,
        delete_connection,
        "Delete a connection, the rules that use it and what the catalog indexed of it",
        status=204,
    ),
    Operation(
        "GET",
        "/rules",
        _RULES.list_rules,
        "The caller's sync rules",
        answer=obj(("rules",), rules={"type": "array", "items": _RULE}),
    ),
    Operation(
        "POST",
        "/rules",
        _RULES.create_rule,
        "Create a sync rule that runs on the server on a schedule",
        body=obj(("source_id", "dest_id"), source_id=_ID, dest_id=_ID, **_RULE_FIELDS),
        answer=_RULE,
        status=201,
    ),
    Operation("GET", _RULE_PATH, _RULES.get_rule, "A rule and its last runs", answer=_RULE),
    Operation(
        "PATCH",
        _RULE_PATH,
        _RULES.update_rule,
        "Change a rule (schedule, mode, folders, enabled)",
        body=obj((), **_RULE_FIELDS),
        answer=_RULE,
    ),
    Operation("DELETE", _RULE_PATH, _RULES.delete_rule, "Delete a rule", status=204),
    Operation(
        "POST",
        _RULE_PATH + "/run",
        _RULES.run_rule,
        "Run a rule now, on the server",
        answer=_RULE,
        status=202,
    ),
    Operation(
        "POST",
        _RULE_PATH + "/proceed",
        proceed_rule,
        "Run a rule a safety stop held, once, past the stops",
        answer=_RULE,
        status=202,
    ),
    Operation(
        "GET",
        _RULE_PATH + "/runs",
        list_rule_runs,
        "A rule's runs, newest first",
        answer=obj(("runs",), runs={"type": "array", "items": _RUN}),
    ),
)
