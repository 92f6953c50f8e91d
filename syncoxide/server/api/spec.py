"""What an API operation is: the leaf every feature's operation table is written in.

Feature packages (files, links, rules, ...) describe their operations with :class:`Operation`
and the schema pieces here; ``api.routing`` turns the composed table into routes and the
OpenAPI document. This module imports nothing of the server above it (only the errors, who is
asking, and the stored records), so any feature can use it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from syncoxide.errors import InvalidInputError
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.identity import SignedIn
from syncoxide.server.inputs import optional_number
from syncoxide.server.storage.port import User

PREFIX = "/api/v1"
PATH_PARAMETER = re.compile(r"\{(\w+)(:\w+)?\}")
MAX_JSON_BODY = 64 * 1024


@dataclass(frozen=True)
class Call:
    """What a handler gets: the request, who sent it, and its JSON body (already checked)."""

    request: Request
    signed_in: SignedIn | None
    body: dict[str, Any] | None

    @property
    def user(self) -> User:
        assert self.signed_in is not None  # the wrapper checked the operation's needs
        return self.signed_in.user

    @property
    def json(self) -> dict[str, Any]:
        return self.body or {}

    def int_query(self, name: str, default: int, low: int, high: int) -> int:
        """A whole-number query parameter from ``low`` to ``high``, or a 400 naming it."""
        try:
            return optional_number(self.request.query_params, name, default, low=low, high=high)
        except InvalidInputError as error:
            raise ApiError(400, "bad_query", error.message) from None


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
