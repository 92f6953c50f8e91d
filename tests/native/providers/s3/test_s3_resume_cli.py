"""`syncoxide sync` killed (SIGKILL) in the middle of a multipart upload to a real S3 server
(rclone serve s3), then run again: the parts the server holds are not sent a second time."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from syncoxide.native.providers.s3.settings import S3Settings, create_client
from tests.conftest import PROJECT_ROOT
from tests.native.providers.counting_proxy import CountingProxy, counting_proxy
from tests.native.providers.server_processes import kill_when
from tests.native.providers.test_remotes import cli
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

PART = 5 * 1024 * 1024
DATA = hashlib.sha256(b"resume").digest() * (6 * PART // 32 + 333)  # 6 parts + a tail


def _settings(server: S3Server) -> S3Settings:
    return S3Settings(
        bucket=server.bucket,
        endpoint_url=server.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )


async def _held_bytes(settings: S3Settings, key: str, upload_id: str) -> int:
    async with create_client(settings) as client:
        listed = await client.list_parts(Bucket=settings.bucket, Key=key, UploadId=upload_id)
        return sum(int(part["Size"]) for part in listed.get("Parts", []))


async def _object(settings: S3Settings, key: str) -> bytes:
    async with create_client(settings) as client:
        reply = await client.get_object(Bucket=settings.bucket, Key=key)
        async with reply["Body"] as body:
            return bytes(await body.read())


def _open_upload(state: Path) -> tuple[str, str] | None:
    for ledger in state.glob("pairs/*/remote-*/s3-uploads.json"):
        uploads: dict[str, Any] = json.loads(ledger.read_text())["uploads"]
        for key, upload in uploads.items():
            return key, str(upload["upload_id"])
    return None


def _remote_through(config: Path, server: S3Server, port: int) -> dict[str, str]:
    """Adds the remote ``box`` reaching ``server`` through the proxy on ``port`` (small parts,
    two at a time): the environment a CLI run with that configuration needs."""
    added = cli(
        config,
        *("remote", "add", "box", "s3", f"bucket={server.bucket}"),
        f"endpoint=http://127.0.0.1:{port}",
        f"access_key_id={ACCESS_KEY}",
        f"secret_access_key={SECRET_KEY}",
        f"part_size={PART}",
        "upload_concurrency=2",
    )
    assert added.returncode == 0, added.stderr
    env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
    env.pop("AWS_CA_BUNDLE", None)
    return env


@dataclass
class ThrottledSync:
    """A source folder holding DATA, synced by CLI runs to the remote ``box`` (an S3 server
    behind a proxy that counts what is sent and slows it, so a run can be killed midway)."""

    state: Path
    config: Path
    source: Path
    settings: S3Settings
    proxy: CountingProxy
    env: dict[str, str]

    def started(self, folder: str) -> subprocess.Popen[bytes]:
        """A sync of the source to ``box:folder``, running."""
        command = [sys.executable, "-m", "syncoxide.cli.main", "sync", str(self.source)]
        return subprocess.Popen(
            [*command, f"box:{folder}"], cwd=PROJECT_ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def killed_after(self, sync: subprocess.Popen[bytes], parts: int = 2) -> tuple[str, str]:
        """SIGKILLs ``sync`` once the server holds ``parts`` parts: the key and id of its
        upload."""

        def parts_held() -> bool:
            found = _open_upload(self.state)
            held = 0 if found is None else asyncio.run(_held_bytes(self.settings, *found))
            return held >= parts * PART

        kill_when(sync, parts_held, f"an upload of {parts} parts")
        found = _open_upload(self.state)
        assert found is not None
        return found

    def check_rerun_sends_only_the_rest(
        self, folder: str, upload: tuple[str, str], *, parts: int
    ) -> None:
        """Runs the sync to ``box:folder`` again at full speed, once ``upload`` holds at least
        ``parts`` parts: it sends only what the server lacks and publishes the whole file."""
        self.proxy.bytes_per_second = None
        self.proxy.wait_until_idle()
        held = asyncio.run(_held_bytes(self.settings, *upload))
        self.proxy.sent = 0
        again = cli(self.config, "sync", str(self.source), f"box:{folder}")
        sent = self.proxy.sent
        assert again.returncode == 0, again.stderr
        assert held >= parts * PART
        assert len(DATA) - held <= sent < len(DATA) - held + 1024 * 1024
        assert asyncio.run(_object(self.settings, f"{folder}/big.bin")) == DATA
        assert _open_upload(self.state) is None


@pytest.fixture
def throttled_sync(
    rclone_s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ThrottledSync]:
    state, config, source = tmp_path / "state", tmp_path / "config", tmp_path / "src"
    source.mkdir()
    (source / "big.bin").write_bytes(DATA)
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(state))
    upstream = int(rclone_s3.endpoint.rsplit(":", 1)[1])
    with counting_proxy(upstream, bytes_per_second=4 * 1024 * 1024) as proxy:
        env = _remote_through(config, rclone_s3, proxy.port)
        yield ThrottledSync(state, config, source, _settings(rclone_s3), proxy, env)


def test_a_killed_sync_resumes_its_multipart_upload(throttled_sync: ThrottledSync) -> None:
    upload = throttled_sync.killed_after(throttled_sync.started("kill"))
    throttled_sync.check_rerun_sends_only_the_rest("kill", upload, parts=2)


def test_a_rerun_killed_beside_its_listing_is_finished_by_the_next_run(
    throttled_sync: ThrottledSync,
) -> None:
    """The rerun reads its listing while it resumes the upload: SIGKILLed there too, the run
    after it sends only what the server lacks and publishes the whole file."""
    first = throttled_sync.killed_after(throttled_sync.started("twice"))
    upload = throttled_sync.killed_after(throttled_sync.started("twice"), parts=4)
    assert upload == first  # the rerun sent into the same upload
    throttled_sync.check_rerun_sends_only_the_rest("twice", upload, parts=4)
