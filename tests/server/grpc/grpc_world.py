"""What the gRPC tests share: a real ``syncoxide serve --grpc-port`` with two accounts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import httpx2
import pytest

from syncoxide.server.grpc.v1 import api_pb2 as pb
from syncoxide.server.grpc.v1 import api_pb2_grpc as rpc
from tests.conftest import LiveServer, account_token, free_port, start_live_server

PART = 1 << 20
TIMEOUT = 30


@dataclass
class GrpcServer:
    web: LiveServer
    channel: grpc.Channel
    alice: str
    bob: str
    target: str  # host:port, for a test's own channel (a ``grpc.aio`` one)

    def files(self) -> rpc.FilesStub:
        return rpc.FilesStub(self.channel)

    def rest(self, token: str) -> httpx2.Client:
        return httpx2.Client(base_url=self.web.url, headers={"Authorization": f"Bearer {token}"})


def signed(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def grpc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GrpcServer]:
    """The server, its channel and two accounts' tokens; stopped when the caller is done."""
    port = free_port()
    web = start_live_server(
        tmp_path_factory.mktemp("grpc-data"), options=("--grpc-port", str(port))
    )
    scratch = tmp_path_factory.mktemp("grpc-accounts")
    try:
        alice, bob = (account_token(web, name, scratch) for name in ("alice", "bob"))
        target = f"127.0.0.1:{port}"
        with grpc.insecure_channel(target) as channel:
            grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
            yield GrpcServer(web, channel, alice, bob, target)
    finally:
        web.stop()


def upload(
    files: rpc.FilesStub,
    token: str,
    path: str,
    data: bytes,
    sha1: str | None = None,
    *,
    mtime_ns: int = 1_700_000_000 * 10**9,
) -> pb.Entry:
    """Upload ``data``; ``mtime_ns`` 0 is proto3's unset field: the server stamps the time."""

    def parts() -> Iterator[pb.UploadPart]:
        yield pb.UploadPart(header=pb.UploadHeader(path=path, mtime_ns=mtime_ns, sha1=sha1))
        for start in range(0, len(data), PART):
            yield pb.UploadPart(data=data[start : start + PART])

    entry: pb.Entry = files.Upload(parts(), metadata=signed(token), timeout=TIMEOUT)
    return entry


def refused(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as caught:
        call()  # type: ignore[operator]
    code: grpc.StatusCode = caught.value.code()
    return code
