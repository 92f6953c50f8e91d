"""Run a REST operation for a gRPC call, so gRPC has no logic of its own.

A call becomes the HTTP request the REST route would have seen (method, path parameters,
query, headers, streamed body), handed to the operation's own handler; its JSON answer becomes
the reply message, and its ``ApiError`` a gRPC status. Authentication is the API's own ``who``
over the ``authorization`` metadata (API tokens; browser cookies have no meaning here).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

import grpc
from google.protobuf.json_format import ParseDict, ParseError
from google.protobuf.message import Message
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import Message as AsgiMessage
from starlette.types import Scope

from syncoxide.errors import SyncoxideError
from syncoxide.server.accounts.auth import who
from syncoxide.server.api.errors import ApiError, from_syncoxide, not_signed_in
from syncoxide.server.api.identity import SignedIn
from syncoxide.server.api.openapi import operation_ids
from syncoxide.server.api.routing import schema_problem
from syncoxide.server.api.spec import PATH_PARAMETER, PREFIX, Call, Operation
from syncoxide.server.services import Services

#: REST status -> gRPC status; anything else is INTERNAL.
STATUS_CODES: Mapping[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ALREADY_EXISTS,
    410: grpc.StatusCode.NOT_FOUND,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    415: grpc.StatusCode.INVALID_ARGUMENT,
    416: grpc.StatusCode.OUT_OF_RANGE,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    507: grpc.StatusCode.RESOURCE_EXHAUSTED,
}

Body = AsyncIterator[bytes]
M = TypeVar("M", bound=Message)


@dataclass
class RestCall:
    """What a REST request would have carried, gathered from a gRPC call."""

    operation_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Body | None = None


class RestBridge:
    def __init__(self, app: Starlette, operations: Sequence[Operation]) -> None:
        self.app = app
        self.operations = dict(zip(operation_ids(operations), operations, strict=True))

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def signed_in(self, context: grpc.aio.ServicerContext[Any, Any]) -> SignedIn:
        try:
            signed_in = await who(self._request(context, "GET", "/"))
        except ApiError as error:
            await abort(context, error)
        if signed_in is None:
            await abort(context, not_signed_in())
        return signed_in

    async def run(self, context: grpc.aio.ServicerContext[Any, Any], call: RestCall) -> Any:
        """The operation's answer: a JSON value, None (204) or a Starlette response."""
        operation = self.operations[call.operation_id]
        signed_in = await self.signed_in(context) if operation.signed_in else None
        path_params, query, body = _split(operation, call.fields)
        path = PREFIX + PATH_PARAMETER.sub(lambda m: str(path_params[m.group(1)]), operation.path)
        request = self._request(
            context, operation.method, path, query=query, headers=call.headers, body=call.body
        )
        request.scope["path_params"] = path_params
        try:
            if body is not None and (problem := schema_problem(body, operation.body or {})):
                raise ApiError(422, "invalid_body", problem)
            return await operation.handler(Call(request, signed_in, body))
        except ApiError as error:
            await abort(context, error)
        except SyncoxideError as error:
            await abort(context, from_syncoxide(error))

    async def reply(
        self, context: grpc.aio.ServicerContext[Any, Any], call: RestCall, reply: M
    ) -> M:
        answer = await self.run(context, call)
        try:
            return ParseDict(answer or {}, reply)
        except ParseError as error:  # the proto and the REST schema drifted apart: our bug
            await context.abort(grpc.StatusCode.INTERNAL, f"reply mismatch: {error}")
            raise

    def _request(
        self,
        context: grpc.aio.ServicerContext[Any, Any],
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Body | None = None,
    ) -> Request:
        metadata = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        sent = {"authorization": metadata.get("authorization", ""), **(headers or {})}
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "2",
            "method": method,
            "scheme": "http",
            "server": ("grpc", 0),
            "client": (_peer_host(context.peer()), 0),
            "root_path": "",
            "path": path,
            "raw_path": path.encode(),
            "query_string": urlencode(query or {}).encode(),
            "headers": [(k.encode(), v.encode()) for k, v in sent.items() if v],
            "app": self.app,
            "state": {},
        }
        return Request(scope, _receive_from(body))


def _split(
    operation: Operation, fields: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any] | None]:
    """A call's fields as the REST route takes them: path parameters, query, JSON body."""
    remaining = dict(fields)
    path_params: dict[str, Any] = {}
    for name, converter in PATH_PARAMETER.findall(operation.path):
        value = remaining.pop(name, "")
        path_params[name] = int(value) if converter == ":int" else str(value)
    query: dict[str, str] = {}
    for name, _ in operation.query:
        if name in remaining:
            value = remaining.pop(name)
            query[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return path_params, query, remaining if operation.body else None


def _receive_from(body: Body | None) -> Any:
    ended = False

    async def receive() -> AsgiMessage:
        nonlocal ended
        if ended:
            # As an ASGI server does: past the body, receive waits until the client leaves
            # (here: until the call is cancelled), so a handler watching for a disconnect
            # waits instead of spinning on an endless stream of empty bodies.
            await asyncio.Event().wait()
        chunk = b""
        if body is not None:
            try:
                return {"type": "http.request", "body": await anext(body), "more_body": True}
            except StopAsyncIteration:
                pass
        ended = True
        return {"type": "http.request", "body": chunk, "more_body": False}

    return receive


def _peer_host(peer: str) -> str:
    """``ipv4:127.0.0.1:5000`` or ``ipv6:[::1]:5000`` -> the address, for per-client limits."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]")
    return rest.rsplit(":", 1)[0] if kind == "ipv4" else "unknown"


async def abort(context: grpc.aio.ServicerContext[Any, Any], error: ApiError) -> NoReturn:
    code = STATUS_CODES.get(error.status, grpc.StatusCode.INTERNAL)
    retry = (error.headers or {}).get("Retry-After")
    if retry is not None:
        context.set_trailing_metadata((("retry-after", retry),))
    await context.abort(code, f"{error.code}: {error.message}")
    raise AssertionError("grpc.aio abort returns only by raising")  # for the type checker


def message_fields(message: Message) -> dict[str, Any]:
    """A flat request message's fields: scalars as they are, unset optional ones left out."""
    fields: dict[str, Any] = {}
    for described in message.DESCRIPTOR.fields:
        name = described.name
        if described.has_presence and not message.HasField(name):
            continue
        fields[name] = getattr(message, name)
    return fields
