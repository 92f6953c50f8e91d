"""A cancel taken by one server stops the job or the restore another server runs at once,
through the API and a real bus (Redis, then NATS): two apps on one data directory, as two
instances of a deployment. The running one renews its job's lease, or writes its restore's
progress, once a minute here, so the flag in the database alone would reach it only that
late."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.errors import CancelledByUserError
from syncoxide.server.app import create_app
from syncoxide.server.automation.queue import Job, NewJob
from syncoxide.server.automation.worker import JobControl, JobWorker
from syncoxide.server.backups.restores import RestorePace
from syncoxide.server.config import ServerConfig
from tests.server.backups.backups_world import backups_app
from tests.server.backups.test_restore_progress import _fill, _held, _start, _wait
from tests.server.links.links_world import ROOT
from tests.server.signin import add_user, sign_in
from tests.servers import S3Server

pytestmark = pytest.mark.live
KIND = "test.waits-for-cancel"


def _instance(data: Path) -> Starlette:
    return create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))


def _worker(app: Starlette) -> JobWorker:
    worker: JobWorker = app.state.automation.worker
    return worker


def test_a_job_cancelled_through_one_instance_stops_on_the_other_at_once(
    tmp_path: Path, bus_url: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(f'[deployment]\nbus = "{bus_url}"\n')
    taking, running = _instance(data), _instance(data)
    _worker(taking).settings = replace(_worker(taking).settings, slots=0)  # API calls only
    slow = replace(_worker(running).settings, lease=120.0, renew_every=60.0, poll=0.05)
    _worker(running).settings = slow
    started = threading.Event()

    async def waits(job: Job, control: JobControl) -> dict[str, Any]:
        started.set()
        while not control.cancelled():  # what the action runner does every 50 ms
            await asyncio.sleep(0.01)
        raise CancelledByUserError("stopped")

    _worker(running).handlers[KIND] = waits
    with TestClient(running), TestClient(taking) as client:
        add_user(taking, "alice")
        client.headers["X-CSRF-Token"] = sign_in(client, "alice")
        queue = taking.state.automation.queue
        job = queue.enqueue(NewJob(1, KIND, {}))
        assert started.wait(10), "the running instance did not take the job"
        begun = time.monotonic()
        answer = client.post(f"/api/v1/jobs/{job.id}/cancel")
        assert answer.status_code == 200 and answer.json()["cancel_requested"], answer.text
        while (now := queue.get(1, job.id)).status == "running":
            assert time.monotonic() - begun < 5, "the cancel waited for the lease renewal"
            time.sleep(0.02)
        took = time.monotonic() - begun
    assert now.status == "cancelled"
    assert took < 1.0


@pytest.mark.skipif(shutil.which("borg") is None, reason="borg is not installed")
def test_a_restore_cancelled_through_one_instance_stops_on_the_other_at_once(
    tmp_path: Path, bus_url: str, rclone_s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8")  # the S3 server here
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text(f'[deployment]\nbus = "{bus_url}"\n')
    with backups_app(data) as running:
        things = _fill(running, tmp_path, rclone_s3)
        gate = threading.Event()
        _held(running, gate, hold_at=3)
        started = _start(running, things, "restored")
        _wait(running, started["id"], lambda r: r["files"] == 2)  # held at the third file
        restores = running.app.state.backups.restores  # type: ignore[attr-defined]
        restores.pace = RestorePace(progress_seconds=60.0)  # the flag alone: read in a minute
        time.sleep(0.3)  # its progress writer is asleep for that minute now
        with TestClient(_instance(data)) as taking:
            taking.headers["X-CSRF-Token"] = sign_in(taking, "alice")
            begun = time.monotonic()
            cancel = taking.post(f"/api/v1/backups/restores/{started['id']}/cancel")
            assert cancel.status_code == 202 and cancel.json()["cancel_requested"], cancel.text
            stopped = _wait(taking, started["id"], lambda r: r["status"] != "running", 10)
            took = time.monotonic() - begun
        gate.set()
    assert stopped["status"] == "cancelled" and stopped["files"] == 2, stopped
    assert took < 2.0
