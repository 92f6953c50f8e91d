"""The gRPC listener: served on the web server's own event loop, beside it, for its lifetime."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from starlette.applications import Starlette

from syncoxide.errors import ConfigError
from syncoxide.server.api.spec import Operation
from syncoxide.server.config import GrpcAddress
from syncoxide.server.grpc import servicers
from syncoxide.server.grpc.bridge import RestBridge

#: Streams carry 1 MiB parts; a message may be a little larger than its data.
MAX_MESSAGE = 4 << 20
#: In-flight calls get this long to finish when the server stops.
STOP_GRACE_SECONDS = 5.0


async def start(
    app: Starlette, operations: Sequence[Operation], at: GrpcAddress
) -> grpc.aio.Server:
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE),
            ("grpc.max_send_message_length", MAX_MESSAGE),
        ]
    )
    servicers.add_to(server, RestBridge(app, operations))
    try:
        bound = server.add_insecure_port(at.target)
    except RuntimeError as error:
        raise ConfigError(f"gRPC cannot listen on {at.target}: {error}") from None
    if bound == 0:
        raise ConfigError(
            f"gRPC cannot listen on {at.target}.", hint="Is the port taken? Pick another one."
        )
    await server.start()
    return server


async def stop(server: grpc.aio.Server) -> None:
    await server.stop(STOP_GRACE_SECONDS)
