"""What an API operation is: the leaf every feature's operation table is written in.

Feature packages (files, links, rules, ...) describe their operations with :class:`Operation`
and the schema pieces here; ``api.routing`` turns the composed table into routes and the
OpenAPI document. This module imports nothing of the server above it, so any feature can use it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from syncoxide.server.api.handlers import Call

PREFIX = "/api/v1"
PATH_PARAMETER = re.compile(r"\{(\w+)(:\w+)?\}")
MAX_JSON_BODY = 64 * 1024

Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Handler
    summary: str
    signed_in: bool = True
    body: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None
    status: int = 200
    query: tuple[tuple[str, dict[str, Any]], ...] = ()


def obj(required: tuple[str, ...] = (), **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
NULL_INT: dict[str, Any] = {"type": ["integer", "null"]}
