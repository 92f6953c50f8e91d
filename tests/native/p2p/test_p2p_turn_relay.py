"""TURN through a real coturn: the server's credentials allocate, wrong and expired ones are
refused, and a CLI-to-CLI transfer forced onto the relay (``--relay``) arrives intact."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aioice import stun
from aioice.turn import TurnClientUdpProtocol, create_turn_endpoint

from syncoxide.protocol.ice_servers import turn_password, turn_server
from tests.conftest import LiveServer, start_live_server
from tests.native.p2p.coturn import Coturn, start_coturn
from tests.native.p2p.p2p_processes import start_cli, wait_for_link

pytestmark = pytest.mark.live

SECRET = "relay-secret-for-tests"


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    server = start_coturn(tmp_path_factory.mktemp("coturn"), SECRET)
    yield server
    server.stop()


def allocate(coturn: Coturn, username: str, password: str) -> tuple[str, int]:
    """A TURN allocation with these credentials; its relayed address."""

    async def attempt() -> tuple[str, int]:
        transport, _ = await create_turn_endpoint(
            asyncio.DatagramProtocol, ("127.0.0.1", coturn.port), username, password
        )
        try:
            address: tuple[str, int] = transport.get_extra_info("sockname")
            return address
        finally:
            transport.close()

    return asyncio.run(asyncio.wait_for(attempt(), 15))


def test_the_servers_credentials_allocate_and_bad_ones_are_refused(coturn: Coturn) -> None:
    fresh = turn_server(
        (coturn.url,), SECRET.encode(), label="peer-a", expires_at=int(time.time()) + 600
    )
    assert allocate(coturn, fresh.username, fresh.credential)[0] == "127.0.0.1"
    with pytest.raises(stun.TransactionFailed, match="401"):
        allocate(coturn, fresh.username, turn_password(b"not-the-secret", fresh.username))
    expired = f"{int(time.time()) - 60}:peer-a"
    with pytest.raises(stun.TransactionFailed, match="401"):
        allocate(coturn, expired, turn_password(SECRET.encode(), expired))


def test_the_deploy_config_relays_to_public_peers_only(tmp_path: Path) -> None:
    server = start_coturn(tmp_path, SECRET, config=DEPLOY_CONFIG)
    try:
        refused = asyncio.run(asyncio.wait_for(bind_channels(server), 30))
    finally:
        server.stop()
    assert refused == {
        "198.51.99.7": None,  # an ordinary public address: allowed
        "127.0.0.1": 403,
        "10.1.2.3": 403,
        "172.20.0.1": 403,
        "192.168.1.1": 403,
        "169.254.169.254": 403,  # cloud metadata service
        "100.64.0.1": 403,
    }


async def bind_channels(server: Coturn) -> dict[str, int | None]:
    """A ChannelBind from one allocation to each address; the error code, or None."""
    credential = turn_server(
        (server.url,), SECRET.encode(), label="peer-x", expires_at=int(time.time()) + 600
    )
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_datagram_endpoint(
        lambda: TurnClientUdpProtocol(
            ("127.0.0.1", server.port), credential.username, credential.credential, 600, 300
        ),
        remote_addr=("127.0.0.1", server.port),
    )
    try:
        await protocol.connect()
        outcome: dict[str, int | None] = {}
        for number, address in enumerate(PEERS):
            try:
                await protocol.channel_bind(0x4000 + number, (address, 9))
                outcome[address] = None
            except stun.TransactionFailed as failure:
                outcome[address] = failure.response.attributes["ERROR-CODE"][0]
        return outcome
    finally:
        await protocol.delete()


PEERS = ("198.51.99.7", "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254",
         "100.64.0.1")  # fmt: skip
DEPLOY_CONFIG = Path(__file__).resolve().parents[3] / "deploy" / "coturn" / "turnserver.conf"


@pytest.fixture
def relaying_server(tmp_path: Path, coturn: Coturn) -> Iterator[LiveServer]:
    server = start_live_server(
        tmp_path / "data",
        env={"SYNCOXIDE_TURN_URLS": coturn.url, "SYNCOXIDE_TURN_SECRET": SECRET},
    )
    yield server
    server.stop()


def test_a_transfer_forced_through_the_relay_matches_its_hash(
    tmp_path: Path, coturn: Coturn, relaying_server: LiveServer
) -> None:
    payload = os.urandom(1024 * 1024 + 17)
    (tmp_path / "relayed.bin").write_bytes(payload)
    allocations_before = coturn.log_text().count("ALLOCATE processed, success")
    sender = start_cli(
        ["send", str(tmp_path / "relayed.bin"), "--server", relaying_server.url,
         "--relay", "--wait", "90"],
        tmp_path / "send.log",
    )  # fmt: skip
    try:
        _, code = wait_for_link(sender)
        receiver = start_cli(
            ["receive", code, "--server", relaying_server.url, "--relay",
             "-o", str(tmp_path / "out")],
            tmp_path / "recv.log",
        )  # fmt: skip
        received_rc, received = receiver.wait(120)
        sent_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert received_rc == 0, received
    assert sent_rc == 0, sent
    got = (tmp_path / "out" / "relayed.bin").read_bytes()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(payload).hexdigest()
    # Relay-only peers gather no other candidate: both allocated on coturn, with the server's
    # per-peer credentials.
    log = coturn.log_text()
    assert log.count("ALLOCATE processed, success") - allocations_before >= 2
    assert "peer-" in log


def test_relay_without_a_turn_server_says_what_to_do(
    tmp_path: Path, live_server: LiveServer
) -> None:
    (tmp_path / "a.txt").write_text("a")
    sender = start_cli(
        ["send", str(tmp_path / "a.txt"), "--server", live_server.url, "--wait", "30"],
        tmp_path / "send.log",
    )
    try:
        _, code = wait_for_link(sender)
        receiver = start_cli(
            ["receive", code, "--server", live_server.url, "--relay", "-o", str(tmp_path / "o")],
            tmp_path / "recv.log",
        )
        rc, text = receiver.wait(60)
    finally:
        sender.stop()
    assert rc == 2 and "--relay needs a TURN server" in text
    assert not (tmp_path / "o" / "a.txt").exists()
