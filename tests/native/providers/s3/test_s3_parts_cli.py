"""`syncoxide sync` of one big file to a real S3 server (rclone serve s3) in concurrent parts,
SIGKILLed once parts are journaled, then run again: the bytes counted on the wire by a relay
are those of the parts the journal did not vouch for, and the object arrives whole."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from syncoxide.native.providers.s3.settings import S3Settings, create_client
from syncoxide.wal.replay import replay_journal
from tests.conftest import PROJECT_ROOT
from tests.native.providers.counting_proxy import counting_proxy
from tests.native.providers.server_processes import kill_when
from tests.native.providers.test_remotes import cli
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

MIB = 1024 * 1024
PART = 5 * MIB
SIZE = 8 * PART + 777  # 9 parts, the last one short


def _journaled(state: Path) -> dict[int, tuple[int, str]]:
    journals = list(state.glob("pairs/*/journal.sxwal"))
    return replay_journal(journals[0].read_bytes()).parts.get(0, {}) if journals else {}


async def _object(settings: S3Settings, key: str) -> bytes | None:
    async with create_client(settings) as client:
        try:
            reply = await client.get_object(Bucket=settings.bucket, Key=key)
        except client.exceptions.NoSuchKey:
            return None
        async with reply["Body"] as body:
            return bytes(await body.read())


@pytest.mark.live
def test_a_killed_parallel_copy_sends_only_the_missing_parts(
    rclone_s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, config, source = tmp_path / "state", tmp_path / "config", tmp_path / "src"
    source.mkdir()
    content = os.urandom(SIZE)
    (source / "big.bin").write_bytes(content)
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(state))
    settings = S3Settings(
        bucket=rclone_s3.bucket,
        endpoint_url=rclone_s3.endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    upstream = int(rclone_s3.endpoint.rsplit(":", 1)[1])
    parts = ["--multi-thread-streams", "3", "--multi-thread-cutoff", "10"]
    parts += ["--multi-thread-chunk-size", str(PART // MIB)]
    with counting_proxy(upstream, bytes_per_second=8 * MIB) as proxy:
        added = cli(
            config,
            *("remote", "add", "box", "s3", f"bucket={rclone_s3.bucket}"),
            f"endpoint=http://127.0.0.1:{proxy.port}",
            f"access_key_id={ACCESS_KEY}",
            f"secret_access_key={SECRET_KEY}",
        )
        assert added.returncode == 0, added.stderr
        env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
        env.pop("AWS_CA_BUNDLE", None)
        command = [sys.executable, "-m", "syncoxide.cli.main", "sync", str(source), "box:pk"]
        sync = subprocess.Popen(
            [*command, *parts],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        kill_when(sync, lambda: len(_journaled(state)) >= 3, "three journaled parts")
        proxy.bytes_per_second = None
        proxy.wait_until_idle()
        journaled = _journaled(state)
        assert asyncio.run(_object(settings, "pk/big.bin")) is None  # nothing under its name
        proxy.sent = 0
        again = cli(config, "sync", str(source), "box:pk", *parts)
        sent = proxy.sent
    assert again.returncode == 0, again.stderr
    missing = SIZE - sum(length for length, _ in journaled.values())
    # Requests' headers and XML bodies add a little; a re-sent part would add 5 MiB.
    assert missing <= sent < missing + MIB
    stored = asyncio.run(_object(settings, "pk/big.bin"))
    assert (
        stored is not None and hashlib.sha256(stored).digest() == hashlib.sha256(content).digest()
    )
