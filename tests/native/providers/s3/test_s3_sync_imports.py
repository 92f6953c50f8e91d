"""A plain sync to S3 never imports botocore: every request it needs is a lean one.

Counted, not timed (as tests/cli/test_cli_startup_imports.py): importing aiobotocore and
making its client cost about 0.3 s of CPU at every start of an S3 sync, more than the rest of
a small one (bench/cli_startup.py, the S3 case). Each run below is a real `syncoxide sync` to a
real server (rclone serve s3 and moto): a first copy with a small file, an empty folder and a
big file sent in parts, then a renamed folder, a touched file (its mtime rewritten in the
object's metadata), a deleted file and a folder, a big file sent as one streamed multipart
upload, and nothing changed. Each run must succeed, change the bucket as asked, and leave
``botocore``, ``aiobotocore`` and ``boto3`` out of ``sys.modules``, and aiohttp (the lean
requests go through ``HttpPool``: aiohttp's ~150 modules were ~40% of a small sync's start),
the server's modules, xml.sax and urllib.request (each pulls in much of http and email), and
platformdirs too (the config folder is given, so there is nothing to look up). The module
count stays within a budget a little above today's (as tests/cli/test_cli_startup_imports.py).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.native.providers.test_remotes import cli
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.live

BOTOCORE = ("botocore", "aiobotocore", "boto3")
# Loaded by a plain S3 sync and none of them needed: botocore's stack, aiohttp's, the server's.
NOT_FOR_PLAIN_S3 = (*BOTOCORE, "aiohttp", "yarl", "multidict", "attr", "http", "starlette")
NOT_FOR_PLAIN_S3_MODULES = ("xml.sax", "urllib.request", "syncoxide.server")
#: Modules a plain nothing-changed S3 sync loads beyond a bare interpreter (275 today, 11 of
#: them h11's, which frames HttpPool's requests and replies; 264 before h11; 391 while aiohttp
#: sent the lean requests).
PLAIN_S3_SYNC_BUDGET = 280
MIB = 1024 * 1024

PROBE = """
import json, sys
before = set(sys.modules)
from syncoxide.cli.main import main
code = main(sys.argv[1:])
found = {"code": code, "modules": sorted(sys.modules), "new": len(set(sys.modules) - before)}
print(json.dumps(found), file=sys.stderr)
"""


@pytest.fixture(params=["rclone", "moto"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_s3")
    return server


class Runs:
    def __init__(self, tmp_path: Path, server: S3Server) -> None:
        self.source, self.config = tmp_path / "src", tmp_path / "config"
        self.state = tmp_path / "state"
        self.new_modules = 0  # what the last sync loaded beyond a bare interpreter
        self.remote = f"box:imports-{tmp_path.name}"
        added = cli(
            self.config,
            *("remote", "add", "box", "s3", f"bucket={server.bucket}"),
            f"endpoint={server.endpoint}",
            f"access_key_id={ACCESS_KEY}",
            f"secret_access_key={SECRET_KEY}",
        )
        assert added.returncode == 0, added.stderr

    def sync(self, *extra: str) -> tuple[list[str], str]:
        """One sync in a fresh interpreter: (modules it loaded, its summary line)."""
        env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(self.config)}
        env.pop("AWS_CA_BUNDLE", None)
        command = [sys.executable, "-c", PROBE, "sync", str(self.source), self.remote]
        command += ["--mode", "sync", "--state-dir", str(self.state), *extra]
        run = subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 0 and lines, run.stderr
        found = json.loads(lines[-1])
        assert found["code"] == 0, run.stderr
        self.new_modules = found["new"]
        return found["modules"], run.stdout + "\n".join(lines[:-1])


def _botocore(modules: list[str]) -> list[str]:
    return [name for name in modules if name.split(".")[0] in BOTOCORE]


def _not_for_plain_s3(modules: list[str]) -> list[str]:
    return [
        name
        for name in modules
        if name.split(".")[0] in NOT_FOR_PLAIN_S3
        or any(name == top or name.startswith(top + ".") for top in NOT_FOR_PLAIN_S3_MODULES)
    ]


def _write(path: Path, size: int, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))


def test_a_plain_s3_sync_never_imports_botocore(s3_server: S3Server, tmp_path: Path) -> None:
    runs = Runs(tmp_path, s3_server)
    _write(runs.source / "docs" / "a.txt", 1000, 1)
    _write(runs.source / "docs" / "b.txt", 2000, 2)
    _write(runs.source / "big" / "parts.bin", 11 * MIB + 5, 3)
    (runs.source / "empty").mkdir()
    in_parts = ["--multi-thread-cutoff", "10", "--multi-thread-chunk-size", "5"]

    def changes(summary: str, *extra: str) -> None:
        modules, said = runs.sync(*extra)
        assert "syncoxide.native.net.http_pool" in modules  # the probe reached the S3 provider
        assert _not_for_plain_s3(modules) == [], said
        assert "platformdirs" not in modules  # the config folder is given: nothing to look up
        assert summary in said, said

    changes("3 copy", *in_parts)
    (runs.source / "docs").rename(runs.source / "papers")
    changes("rename", *in_parts)
    os.utime(runs.source / "papers" / "a.txt", ns=(10**18, 10**18))
    (runs.source / "papers" / "b.txt").unlink()
    shutil.rmtree(runs.source / "empty")
    changes("1 delete")
    _write(runs.source / "streamed.bin", 9 * MIB, 4)  # past the 8 MiB part size, not in parts
    changes("1 copy")
    changes("nothing to do")
    assert runs.new_modules <= PLAIN_S3_SYNC_BUDGET, runs.new_modules

    # And the bucket holds what the source holds, read back by a sync the other way.
    back = tmp_path / "back"
    runs.source, runs.state = back, tmp_path / "state-back"
    back.mkdir()
    env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(runs.config)}
    env.pop("AWS_CA_BUNDLE", None)
    pulled = subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", "sync", runs.remote, str(back)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert pulled.returncode == 0, pulled.stderr
    want = {
        "papers/a.txt": random.Random(1).randbytes(1000),
        "big/parts.bin": random.Random(3).randbytes(11 * MIB + 5),
        "streamed.bin": random.Random(4).randbytes(9 * MIB),
    }
    got = {str(p.relative_to(back)): p.read_bytes() for p in back.rglob("*") if p.is_file()}
    assert got == want
    assert (back / "papers" / "a.txt").stat().st_mtime_ns == 10**18


def _failed_sync(tmp_path: Path, endpoint: str, secret: str) -> tuple[list[str], str]:
    """A sync to ``endpoint`` that must fail: (modules it loaded, what it said)."""
    config, source = tmp_path / "config", tmp_path / "src"
    _write(source / "a.txt", 10, 1)
    added = cli(
        config,
        *("remote", "add", "box", "s3", "bucket=sx-bucket", f"endpoint={endpoint}"),
        f"access_key_id={ACCESS_KEY}",
        f"secret_access_key={secret}",
    )
    assert added.returncode == 0, added.stderr
    env = {**os.environ, "SYNCOXIDE_CONFIG_DIR": str(config)}
    env.pop("AWS_CA_BUNDLE", None)
    command = [sys.executable, "-c", PROBE, "sync", str(source), "box:x"]
    command += ["--state-dir", str(tmp_path / "state")]
    run = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    found = json.loads(run.stderr.strip().splitlines()[-1])
    assert found["code"] != 0, run.stderr
    return found["modules"], run.stderr


def test_an_unreachable_endpoint_is_reported_without_botocore(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    modules, said = _failed_sync(tmp_path, f"http://127.0.0.1:{port}", SECRET_KEY)
    assert "Could not reach the S3 endpoint" in said
    assert _botocore(modules) == []


def test_refused_credentials_are_named_through_botocore(
    rclone_s3: S3Server, tmp_path: Path
) -> None:
    """rclone serve s3 refuses a wrong secret with a bare 403 to the lean listing; botocore,
    imported for that reply alone, reads the error body and names it."""
    modules, said = _failed_sync(tmp_path, rclone_s3.endpoint, "not-the-secret-key-000")
    assert "rejected the credentials" in said, said
    assert "botocore" in modules
