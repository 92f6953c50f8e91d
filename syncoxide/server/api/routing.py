"""The REST API under ``/api/v1``: one table of operations drives both routing and OpenAPI.

Each :class:`~syncoxide.server.api.spec.Operation` names its handler, whether it needs a
signed-in user, the JSON body it accepts and the JSON it answers, as JSON Schema. ``routes()``
wraps every handler with the same steps (who is asking, CSRF, body size and shape, error
mapping) and serves the OpenAPI document made from the same table, so the two cannot drift
apart. The table itself is composed by the app from each feature's own; who is asking is found
by the ``Identify`` step the app passes in, so this package names no feature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from syncoxide.errors import SyncoxideError
from syncoxide.server.api.errors import ApiError, error_response, from_syncoxide, not_signed_in
from syncoxide.server.api.identity import CSRF_HEADER, Identify, check_csrf
from syncoxide.server.api.openapi import openapi_document
from syncoxide.server.api.spec import MAX_JSON_BODY, PREFIX, Call, Operation
from syncoxide.server.inputs import is_decimal, is_storable_id, unstorable, unwritable_text


def routes(
    operations: Sequence[Operation],
    identify: Identify,
    extra_paths: dict[str, dict[str, Any]] | None = None,
) -> list[BaseRoute]:
    """The table's routes and ``/openapi.json``, which also lists ``extra_paths`` (tus)."""
    document = openapi_document(operations, extra_paths or {})

    async def openapi_endpoint(request: Request) -> Response:
        return JSONResponse(document, headers={"Cache-Control": "no-cache"})

    table: list[BaseRoute] = [
        Route(PREFIX + op.path, _wrap(op, identify), methods=[op.method]) for op in operations
    ]
    table.append(Route(PREFIX + "/openapi.json", openapi_endpoint, methods=["GET"]))
    return table


def _wrap(operation: Operation, identify: Identify) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            _check_path_ids(request)
            _check_text_inputs(request)
            signed_in = await identify(request)
            if operation.signed_in:
                if signed_in is None:
                    raise not_signed_in()
                check_csrf(request.method, signed_in, request.headers.get(CSRF_HEADER))
            body = await read_json(request, operation.body) if operation.body else None
            answer = await operation.handler(Call(request, signed_in, body))
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
        message = (
            f"{where} holds text no database stores: an unpaired UTF-16 surrogate (like "
            "\\ud800) or a NUL character (\\u0000)."
        )
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


def _check_text_inputs(request: Request) -> None:
    """A query or path value no database stores as text (a NUL, from ``%00``) is refused
    before any handler looks it up, whichever database the deployment runs on."""
    for name, value in request.query_params.multi_items():
        said = unstorable(name) or unstorable(value)
        if said:
            raise ApiError(400, "bad_query", f"The query {name!r} holds {said}, which is not text.")
    for name, value in request.path_params.items():
        said = unstorable(value) if isinstance(value, str) else None
        if said:
            raise ApiError(404, "not_found", f"Nothing is named so: its {name} holds {said}.")


def _too_large() -> ApiError:
    return ApiError(413, "body_too_large", f"The body is over {MAX_JSON_BODY // 1024} KiB.")


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def schema_problem(value: Any, schema: dict[str, Any], where: str = "body") -> str | None:
    """The first way ``value`` breaks the small JSON Schema subset used here, or None."""
    kinds = schema.get("type")
    allowed = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    if allowed and not any(_TYPE_CHECKS[k](value) for k in allowed):
        return f"{where} must be of type {' or '.join(allowed)}."
    if isinstance(value, str):
        return _string_problem(value, schema, where)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    # NaN compares false with everything, so a NaN is out of any range (json reads "NaN").
    if is_number and not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        return f"{where} is out of range."
    if isinstance(value, dict) and "properties" in schema:
        return _object_problem(value, schema, where)
    return None


def _string_problem(value: str, schema: dict[str, Any], where: str) -> str | None:
    if len(value) > schema.get("maxLength", len(value)):
        return f"{where} is longer than {schema['maxLength']} characters."
    if len(value) < schema.get("minLength", 0):
        return f"{where} is shorter than {schema['minLength']} characters."
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return f"{where} does not have the expected form."
    return None


def _object_problem(value: dict[str, Any], schema: dict[str, Any], where: str) -> str | None:
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
