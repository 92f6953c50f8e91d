"""The OpenAPI 3.0 document, made from the same operation table that builds the routes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from syncoxide import __version__
from syncoxide.server.api.spec import PATH_PARAMETER, PREFIX, STR, Operation, obj


def openapi_document(
    operations: Sequence[Operation], extra_paths: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    names = operation_ids(operations)
    for op, name in zip(operations, names, strict=True):
        path = PREFIX + op.path.replace(":int}", "}")
        paths.setdefault(path, {})[op.method.lower()] = _operation_document(op, name)
    paths.update(extra_paths)
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


def operation_ids(operations: Sequence[Operation]) -> list[str]:
    """Each operation's unique id, which generated clients use as the method name: the
    handler's name, qualified by the path's first segment where features share a name
    (``list_rules`` of sync rules and of backup rules)."""
    counts = Counter(op.handler.__name__ for op in operations)
    ids = [
        op.handler.__name__
        if counts[op.handler.__name__] == 1
        else f"{op.path.strip('/').split('/')[0]}_{op.handler.__name__}"
        for op in operations
    ]
    repeated = sorted(name for name, count in Counter(ids).items() if count > 1)
    if repeated:
        raise ValueError(f"operations share an id: {', '.join(repeated)}")
    return ids


def _operation_document(op: Operation, operation_id: str) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    success: dict[str, Any] = {"description": "OK"}
    if op.answer:
        success["content"] = {"application/json": {"schema": _openapi_schema(op.answer)}}
    document: dict[str, Any] = {
        "summary": op.summary,
        "operationId": operation_id,
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


def tus_paths(base: str, whose: str) -> dict[str, dict[str, Any]]:
    """A tus endpoint at ``base``, described for discovery: it speaks tus 1.0.0, not JSON.
    ``base`` may hold path parameters (``/api/v1/drop/{link_id}``)."""
    in_base = re.findall(r"\{(\w+)\}", base)
    creation = {"options": "tus capabilities", "post": "create an upload (tus creation)"}
    upload = {
        "options": "tus capabilities",
        "head": "the upload's offset",
        "patch": "append bytes at Upload-Offset",
        "delete": "cancel the upload (tus termination)",
    }
    feature = re.sub(r"\W+", "_", base.removeprefix(PREFIX)).strip("_")
    return {
        base + "/": _tus_steps(whose, creation, in_base, f"{feature}_tus"),
        base + "/{upload_id}": _tus_steps(
            whose, upload, [*in_base, "upload_id"], f"{feature}_tus_upload"
        ),
    }


def _tus_steps(
    whose: str, steps: dict[str, str], parameters: list[str], name: str
) -> dict[str, Any]:
    listed = [{"name": name, "in": "path", "required": True, "schema": STR} for name in parameters]
    described = {
        method: {**_tus_step(f"{whose}: {step}"), "operationId": f"{method}_{name}"}
        for method, step in steps.items()
    }
    if not listed:
        return described
    return {method: {**step, "parameters": listed} for method, step in described.items()}


def _tus_step(summary: str) -> dict[str, Any]:
    answers = {"2XX": {"description": "tus 1.0.0 answer"}, "4XX": {"description": "refused"}}
    return {"summary": summary, "responses": answers}
