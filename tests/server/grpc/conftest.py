"""One real server per test module, with a gRPC listener (``grpc_world``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.grpc.grpc_world import GrpcServer, grpc_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GrpcServer]:
    yield from grpc_server(tmp_path_factory)
