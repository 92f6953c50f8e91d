"""Fault suite: the disk fills up in the middle of ``syncoxide request pull``.

The pull's target is a small tmpfs the test mounts (as root; skipped with the reason where
mounting is not permitted), partly taken by another file. The pull must stop the files that do
not fit with a clear "no space" message and a failing exit code, leave every file it named
byte-exact and no partial file behind, lose nothing on the server, and once space is freed a
second pull must bring every arrival: those pulled before are recognised (same name, size and
SHA-256) and not fetched again under a second name, which would fill the disk once more.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx2
import pytest

from tests.cli.test_sync_disk_full import small_disk
from tests.conftest import LiveServer, account_token, run_cli
from tests.server.hostile.test_pull_names import _drop

pytestmark = pytest.mark.live  # a real server and CLI

__all__ = ["small_disk"]  # the fixture, shared with the sync test

MiB = 1 << 20


def test_a_pull_onto_a_full_disk_says_so_keeps_what_it_named_and_finishes_later(
    live_server: LiveServer, small_disk: Path, tmp_path: Path
) -> None:
    token = account_token(live_server, "filler", tmp_path)
    auth = {"Authorization": f"Bearer {token}"}
    link_id = httpx2.post(
        f"{live_server.url}/api/v1/requests", json={"title": "scans"}, headers=auth
    ).json()["id"]
    arrivals = {f"scan-{n:02d}.pdf": os.urandom(MiB + n) for n in range(12)}
    for path, data in arrivals.items():
        _drop(live_server.url, link_id, path, data)
    want = {hashlib.sha256(data).hexdigest() for data in arrivals.values()}
    filler = small_disk / "someone-elses.bin"
    filler.write_bytes(bytes(8 * MiB))
    target = small_disk / "scans"
    server = ("--server", live_server.url, "--token", token)

    first = run_cli("request", "pull", *server, "--", link_id, target)
    said = first.stdout + first.stderr
    assert first.returncode != 0, said
    assert "No space left on device" in said or "disk is full" in said, said
    named = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in target.rglob("*")}
    assert 0 < len(named) < len(arrivals), named  # it filled up in the middle
    assert set(named.values()) <= want  # no cut file under a real name, no partial left
    assert all(not name.startswith(".") for name in named), named
    listed = httpx2.get(f"{live_server.url}/api/v1/requests/{link_id}/arrivals", headers=auth)
    assert len(listed.json()["files"]) == len(arrivals)  # nothing lost on the server

    filler.unlink()
    second = run_cli("request", "pull", *server, "--", link_id, target)
    assert second.returncode == 0, second.stdout + second.stderr
    pulled = [hashlib.sha256(p.read_bytes()).hexdigest() for p in target.rglob("*")]
    assert sorted(pulled) == sorted(want)  # each arrival once: nothing twice, nothing missing
