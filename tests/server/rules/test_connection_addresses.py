"""Connections may not reach the server's own network unless its operator allows it."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from syncoxide.errors import ConfigError, PermissionDeniedError
from syncoxide.native.net.address_guard import AddressGuard, AddressPolicy, GuardsAddresses
from syncoxide.server.config import ServerConfig
from syncoxide.server.rules.connections import open_connection
from tests.server.rules.rules_world import rules_client
from tests.servers import (
    ACCESS_KEY,
    DAV_PASSWORD,
    DAV_USER,
    SECRET_KEY,
    S3Server,
    SshServer,
    WebDavServer,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "169.254.169.254", "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1",
     "0.0.0.0", "::1", "fe80::1", "fd00::5", "::ffff:127.0.0.1", "224.0.0.1"],
)  # fmt: skip
def test_internal_addresses_are_refused_by_default(address: str) -> None:
    assert not AddressPolicy().permits("host", ipaddress.ip_address(address))


def test_public_addresses_pass_and_allowed_names_or_networks_too() -> None:
    assert AddressPolicy().permits("example.org", ipaddress.ip_address("93.184.216.34"))
    assert AddressPolicy().permits("x", ipaddress.ip_address("2606:4700::1111"))
    policy = AddressPolicy.parse(["NAS.lan.", " 10.0.0.0/8", "", "fd00::/8"], "test")
    assert policy.permits("nas.lan", ipaddress.ip_address("192.168.1.20"))
    assert policy.permits("any", ipaddress.ip_address("10.9.9.9"))
    assert policy.permits("any", ipaddress.ip_address("fd00::5"))
    assert not policy.permits("other.lan", ipaddress.ip_address("192.168.1.20"))


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "bad..name", "a/b"])
def test_a_malformed_allow_entry_is_a_config_error(entry: str) -> None:
    with pytest.raises(ConfigError, match="neither a host name"):
        AddressPolicy.parse([entry], "the test list")


def _guard(answers: dict[str, list[str]], *allow: str) -> AddressGuard:
    async def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    return AddressGuard(AddressPolicy.parse(allow, "test"), resolve)


def test_names_are_judged_by_what_they_resolve_to() -> None:
    guard = _guard({"evil.example": ["93.184.216.34", "127.0.0.1"], "ok.example": ["8.8.8.8"]})
    with pytest.raises(
        PermissionDeniedError, match=re.escape("evil.example is, or resolves to")
    ) as refused:
        asyncio.run(guard.addresses("evil.example", 443))
    assert "127.0.0.1" not in str(refused.value)  # what an internal name resolves to stays inside
    assert asyncio.run(guard.addresses("ok.example", 443)) == ["8.8.8.8"]
    with pytest.raises(PermissionDeniedError, match=re.escape("169.254.169.254 is")):
        asyncio.run(guard.addresses("169.254.169.254", 80))  # no lookup for an address


def test_settings_file_and_environment_both_add_to_the_allow_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ServerConfig(data_dir=tmp_path, web_root=ROOT / "web")
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "nas.lan, 10.0.0.0/8")
    (tmp_path / "settings.toml").write_text('[connections]\nallow = ["192.168.0.0/16"]\n')
    assert config.connections_allow() == ["nas.lan", "10.0.0.0/8", "192.168.0.0/16"]
    (tmp_path / "settings.toml").write_text('[connections]\nallow = "10.0.0.0/8"\n')
    with pytest.raises(ConfigError, match="must be a list"):
        config.connections_allow()


@pytest.fixture()
def strict_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A server with the default policy (the rules conftest allows loopback for other tests)."""
    monkeypatch.delenv("SYNCOXIDE_CONNECTIONS_ALLOW")
    with rules_client(tmp_path / "data") as client:
        yield client


def _options(kind: str, servers: tuple[S3Server, WebDavServer, SshServer], host: str) -> dict:
    s3, dav, ssh = servers
    if kind == "s3":
        endpoint = s3.endpoint.replace("127.0.0.1", host)
        return {"endpoint": endpoint, "bucket": s3.bucket, "access_key_id": ACCESS_KEY,
                "secret_access_key": SECRET_KEY}  # fmt: skip
    if kind == "webdav":
        url = dav.url.replace("127.0.0.1", host)
        return {"url": url, "username": DAV_USER, "password": DAV_PASSWORD}
    known = ssh.known_hosts.read_text().replace("127.0.0.1", host)
    return {"host": host, "port": str(ssh.port), "username": ssh.username, "root": "/",
            "known_hosts_data": known, "private_key_data": ssh.client_key.read_text()}  # fmt: skip


@pytest.fixture()
def servers(
    rclone_s3: S3Server, wsgidav_server: WebDavServer, sshd_server: SshServer
) -> tuple[S3Server, WebDavServer, SshServer]:
    return rclone_s3, wsgidav_server, sshd_server


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("kind", ["s3", "webdav", "sftp"])
def test_a_connection_to_a_loopback_server_is_refused_and_not_kept(
    strict_client: TestClient, servers: tuple, kind: str, host: str
) -> None:
    answer = strict_client.post(
        "/api/v1/connections",
        json={"name": "inside", "kind": kind, "options": _options(kind, servers, host)},
    )
    assert answer.status_code == 422, answer.text
    assert "an internal address this server does not connect to" in answer.json()["message"]
    assert "SYNCOXIDE_CONNECTIONS_ALLOW" in answer.json()["message"]
    assert strict_client.get("/api/v1/connections").json()["connections"] == []


def test_a_token_exchange_cannot_be_pointed_inside(strict_client: TestClient) -> None:
    options = {"client_id": "id", "client_secret": "s", "token_url": "http://169.254.169.254/t"}
    started = strict_client.post(
        "/api/v1/connections/consent",
        json={"name": "drive", "kind": "gdrive", "options": options},
    )
    assert started.status_code == 200, started.text
    state = parse_qs(urlsplit(started.json()["authorize_url"]).query)["state"][0]
    finished = strict_client.get(
        "/connections/consent/callback",
        params={"state": state, "code": "c"},
        follow_redirects=False,
    )
    assert finished.status_code == 303
    [error] = parse_qs(urlsplit(finished.headers["location"]).query)["consent_error"]
    assert "169.254.169.254 is, or resolves to, an internal address" in error
    assert strict_client.get("/api/v1/connections").json()["connections"] == []


@pytest.mark.parametrize("kind", ["s3", "webdav", "sftp"])
def test_an_allowed_name_is_connected_to_the_address_that_was_checked(
    servers: tuple, kind: str
) -> None:
    """``files.test`` exists only in the guard's answers: reaching the server proves each
    client connects to the checked address (and SFTP still checks the key under the name)."""
    guard = _guard({"files.test": ["127.0.0.1"]}, "files.test")

    async def run() -> None:
        provider = open_connection(kind, _options(kind, servers, "files.test"), "")
        assert isinstance(provider, GuardsAddresses)
        provider.guard_addresses(guard)
        try:
            async for _page in provider.list_tree():
                break
        finally:
            await provider.aclose()  # type: ignore[attr-defined]

    asyncio.run(run())


def test_an_allowed_network_lets_the_connection_be_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, servers: tuple
) -> None:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8")
    with rules_client(tmp_path / "data") as client:
        answer = client.post(
            "/api/v1/connections",
            json={
                "name": "nas",
                "kind": "webdav",
                "options": _options("webdav", servers, "127.0.0.1"),
            },
        )
        assert answer.status_code == 201, answer.text
