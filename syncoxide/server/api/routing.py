"""The REST API under ``/api/v1``: one table of operations drives both routing and OpenAPI.

Each :class:`Operation` names its handler, whether it needs a signed-in user, the JSON body it
accepts and the JSON it answers, as JSON Schema. ``routes()`` wraps every handler with the
same steps (who is asking, CSRF, body size and shape, error mapping) and
``openapi_document()`` is generated from the same table, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from syncoxide import __version__
from syncoxide.errors import SyncoxideError
from syncoxide.server.accounts.auth import CSRF_HEADER, check_csrf, who
from syncoxide.server.api import handlers as h
from syncoxide.server.api.errors import ApiError, error_response, from_syncoxide, not_signed_in
from syncoxide.server.api.spec import (
    INT,
    MAX_JSON_BODY,
    PATH_PARAMETER,
    PREFIX,
    STR,
    Operation,
    obj,
)
from syncoxide.server.events.live import live_events
from syncoxide.server.files.api import STORAGE_OPERATIONS
from syncoxide.server.inputs import is_decimal, is_storable_id, unwritable_text
from syncoxide.server.links.api import LINK_OPERATIONS, tus_openapi_paths
from syncoxide.server.rules.api import RULE_OPERATIONS

_USER = obj(("id", "name", "display_name"), id=INT, name=STR, display_name=STR)
_TOKEN = obj(
    ("id", "label", "prefix", "created_at"),
    id=INT,
    label=STR,
    prefix=STR,
    created_at=INT,
    last_used_at={"type": ["integer", "null"]},
    revoked_at={"type": ["integer", "null"]},
    expires_at={"type": ["integer", "null"]},
)
_EVENT = obj(
    ("id", "kind", "payload", "created_at"),
    id=INT,
    kind=STR,
    payload={"type": "object"},
    created_at=INT,
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/me",
        h.me,
        "Who the caller is (and, for a browser session, its CSRF token)",
        answer=obj(("user", "via"), user=_USER, via=STR, csrf_token=STR),
    ),
    Operation(
        "PUT",
        "/me/password",
        h.change_password,
        "Change the local password",
        body=obj(
            ("current_password", "new_password"),
            current_password={"type": "string", "maxLength": 1024},
            new_password={"type": "string", "minLength": 8, "maxLength": 1024},
        ),
        status=204,
    ),
    Operation(
        "POST",
        "/session",
        h.sign_in,
        "Sign in with a local password (sets the cookie)",
        signed_in=False,
        body=obj(
            ("name", "password"),
            name={"type": "string", "maxLength": 63},
            password={"type": "string", "maxLength": 1024},
        ),
        answer=obj(("user", "csrf_token"), user=_USER, csrf_token=STR),
    ),
    Operation("DELETE", "/session", h.sign_out, "Sign out of this browser session", status=204),
    Operation(
        "GET",
        "/tokens",
        h.list_tokens,
        "The caller's API tokens",
        answer=obj(("tokens",), tokens={"type": "array", "items": _TOKEN}),
    ),
    Operation(
        "POST",
        "/tokens",
        h.create_token,
        "Create an API token (shown once)",
        body=obj(
            (),
            label={"type": "string", "maxLength": 100},
            expires_in_days={"type": "integer", "minimum": 1, "maximum": 3650},
        ),
        answer=obj(("token", "record"), token=STR, record=_TOKEN),
        status=201,
    ),
    Operation(
        "DELETE", "/tokens/{token_id:int}", h.revoke_token, "Revoke an API token", status=204
    ),
    Operation(
        "GET",
        "/events",
        h.list_events,
        "Events after a given id (catch-up)",
        answer=obj(("events", "last_id"), events={"type": "array", "items": _EVENT}, last_id=INT),
        query=(
            ("after", {"type": "integer", "minimum": 0}),
            ("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
        ),
    ),
    Operation(
        "POST",
        "/cli-login/token",
        h.cli_login_token,
        "Swap a `syncoxide login` code and its verifier for the token",
        signed_in=False,
        body=obj(
            ("code", "verifier"),
            code={"type": "string", "maxLength": 200},
            verifier={"type": "string", "maxLength": 200},
        ),
        answer=obj(("token",), token=STR),
    ),
    Operation(
        "GET",
        "/auth/providers",
        h.sign_in_providers,
        "Ways to sign in",
        signed_in=False,
        answer=obj(
            ("password", "providers"),
            password={"type": "boolean"},
            providers={"type": "array", "items": obj(("name", "label"), name=STR, label=STR)},
        ),
    ),
)


def _wrap(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            _check_path_ids(request)
            signed_in = await who(request)
            if operation.signed_in:
                if signed_in is None:
                    raise not_signed_in()
                check_csrf(request.method, signed_in, request.headers.get(CSRF_HEADER))
            body = await read_json(request, operation.body) if operation.body else None
            answer = await operation.handler(h.Call(request, signed_in, body))
        except ApiError as error:
            return error_response(error, request.url.path)
        except SyncoxideError as error:
            return error_response(from_syncoxide(error), request.url.path)
        if isinstance(answer, Response):
            return answer
        if operation.status == 204:
            return Response(status_code=204, headers={"Cache-Control": "no-store"})
        return JSONResponse(answer, operation.status, headers={"Cache-Control": "no-store"})

    return endpoint


async def read_json(request: Request, schema: dict[str, Any]) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ApiError(
            415, "json_required", "Send the body as JSON (Content-Type: application/json)."
        )
    declared = request.headers.get("content-length")
    if declared is not None and (not is_decimal(declared) or int(declared) > MAX_JSON_BODY):
        raise _too_large()
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_JSON_BODY:
            raise _too_large()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    where = unwritable_text(body)
    if where:
        message = f"{where} holds an unpaired UTF-16 surrogate (like \\ud800), which is not text."
        raise ApiError(400, "malformed_json", message)
    problem = schema_problem(body, schema)
    if problem:
        raise ApiError(422, "invalid_body", problem)
    return dict(body)


def _check_path_ids(request: Request) -> None:
    """A numeric id past SQLite's 64-bit range names nothing: 404 before any lookup."""
    for value in request.path_params.values():
        if isinstance(value, int) and not is_storable_id(value):
            raise ApiError(404, "not_found", "Nothing has this id.")


def _too_large() -> ApiError:
    return ApiError(413, "body_too_large", f"The body is over {MAX_JSON_BODY // 1024} KiB.")


def schema_problem(value: Any, schema: dict[str, Any], where: str = "body") -> str | None:
    """The first way ``value`` breaks the small JSON Schema subset used here, or None."""
    kinds = schema.get("type")
    allowed = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    checks = {
        "object": lambda v: isinstance(v, dict),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "null": lambda v: v is None,
    }
    if allowed and not any(checks[k](value) for k in allowed):
        return f"{where} must be of type {' or '.join(allowed)}."
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            return f"{where} is longer than {schema['maxLength']} characters."
        if len(value) < schema.get("minLength", 0):
            return f"{where} is shorter than {schema['minLength']} characters."
    is_number = isinstance(value, int) and not isinstance(value, bool)
    if is_number and not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        return f"{where} is out of range."
    if isinstance(value, dict) and "properties" in schema:
        for name in schema.get("required", []):
            if name not in value:
                return f"{where}.{name} is required."
        for name, item in value.items():
            if name not in schema["properties"]:
                return f"{where}.{name} is not a known field."
            problem = schema_problem(item, schema["properties"][name], f"{where}.{name}")
            if problem:
                return problem
    return None


def all_operations() -> tuple[Operation, ...]:
    """This table (accounts, tokens, events) plus each feature's."""
    return OPERATIONS + LINK_OPERATIONS + RULE_OPERATIONS + STORAGE_OPERATIONS


def routes() -> list[BaseRoute]:
    """The API's routes; the app lists them first, so API calls match after few checks."""
    table: list[BaseRoute] = [
        Route(PREFIX + op.path, _wrap(op), methods=[op.method]) for op in all_operations()
    ]
    table.append(Route(PREFIX + "/openapi.json", openapi_endpoint, methods=["GET"]))
    table.append(WebSocketRoute(PREFIX + "/events/live", live_events))
    return table


async def openapi_endpoint(request: Request) -> Response:
    return JSONResponse(openapi_document(), headers={"Cache-Control": "no-cache"})


def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in all_operations():
        path = PREFIX + op.path.replace(":int}", "}")
        paths.setdefault(path, {})[op.method.lower()] = _operation_document(op)
    paths.update(tus_openapi_paths())
    return {
        "openapi": "3.0.3",
        "info": {"title": "syncoxide API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": {"Error": obj(("error", "message"), error=STR, message=STR)},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sxo_session"},
            },
        },
    }


def _operation_document(op: Operation) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    success: dict[str, Any] = {"description": "OK"}
    if op.answer:
        success["content"] = {"application/json": {"schema": _openapi_schema(op.answer)}}
    document: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op.handler.__name__,
        "responses": {str(op.status): success, "4XX": {"description": "Error", **error}},
    }
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in op.query
    ]
    for name, converter in PATH_PARAMETER.findall(op.path):
        kind = "integer" if converter == ":int" else "string"
        parameters.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
    if parameters:
        document["parameters"] = parameters
    if op.body:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _openapi_schema(op.body)}},
        }
    document["security"] = [{"bearer": []}, {"session": []}] if op.signed_in else []
    return document


def _openapi_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 spells ``["integer", "null"]`` as ``nullable``."""
    converted = dict(schema)
    kinds = converted.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        converted["type"] = next(k for k in kinds if k != "null")
        converted["nullable"] = True
    if "properties" in converted:
        converted["properties"] = {
            k: _openapi_schema(v) for k, v in converted["properties"].items()
        }
    if "items" in converted:
        converted["items"] = _openapi_schema(converted["items"])
    return converted
