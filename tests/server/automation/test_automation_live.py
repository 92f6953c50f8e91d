"""Automation on a live ``syncoxide serve``: scans sent to a request link become one PDF, and a
server killed with SIGKILL in the middle of a job runs it again after restart, once."""

from __future__ import annotations

import base64
import io
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.conftest import LiveServer, account_token, run_cli, start_live_server
from tests.native.actions import samples

pytestmark = pytest.mark.live
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = tmp_path / "settings.toml"
    settings.write_text("[automation]\nlease_seconds = 3\nsettle_seconds = 1.5\n")
    live = start_live_server(tmp_path / "data", env={"SYNCOXIDE_SETTINGS": str(settings)})
    yield live
    live.stop()


def api(server: LiveServer, token: str) -> httpx2.Client:
    return httpx2.Client(base_url=f"{server.url}/api/v1",
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip


def drop(server: LiveServer, link_id: str, name: str, data: bytes) -> None:
    """Upload one file into a request link as a stranger would, over tus."""
    meta = f"filename {base64.b64encode(name.encode()).decode()}"
    base = f"{server.url}/api/v1/drop/{link_id}/"
    made = httpx2.post(base, headers={**TUS, "Upload-Length": str(len(data)),
                                      "Upload-Metadata": meta})  # fmt: skip
    assert made.status_code == 201, made.text
    sent = httpx2.patch(
        httpx2.URL(base).join(made.headers["location"]),
        content=data,
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert sent.status_code == 204, sent.text


def jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def wait_for(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_scans_sent_to_a_request_link_become_one_pdf(server: LiveServer, tmp_path: Path) -> None:
    token = account_token(server, "alice", tmp_path)
    client = api(server, token)
    link = client.post("/requests", json={"title": "Scans"}).json()["id"]
    added = run_cli("automate", "add", "scans", "--request", link, "--match", "image", "--to",
                    "pdf", "--into", "Scans", "--combine", "--server", server.url,
                    "--token", token)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "image in request link" in added.stdout
    for number, size in enumerate([(600, 800), (800, 600), (600, 800)]):
        drop(server, link, f"scan-{number}.jpg", jpeg(size, (250, 250, 250)))
    drop(server, link, "notes.txt", b"not an image: no rule matches it")

    def done() -> Any:
        jobs = client.get("/jobs").json()["jobs"]
        return jobs if jobs and jobs[0]["status"] in ("done", "dead") else None

    jobs = wait_for(done)
    assert len(jobs) == 1, jobs
    job = jobs[0]
    assert job["status"] == "done", job
    assert job["items"] == ["scan-0.jpg", "scan-1.jpg", "scan-2.jpg"]
    listing = client.get("/storage", params={"path": "Scans"}).json()["entries"]
    assert [e["path"] for e in listing] == [job["output"]]
    pdf = client.get("/storage/content", params={"path": job["output"]}).content
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    events = client.get("/events").json()["events"]
    mine = [e for e in events if e["kind"].startswith("automation.job.")]
    told = [(e["kind"], e["payload"]["status"]) for e in mine if e["payload"]["job"] == job["id"]]
    assert told[0] == ("automation.job.started", "running"), told  # an open view shows it run
    assert told[-1] == ("automation.job.finished", "done"), told
    runs = run_cli("automate", "runs", "--server", server.url, "--token", token)
    assert "done" in runs.stdout and "scan-0.jpg" in runs.stdout, runs.stdout
    listed = run_cli("automate", "list", "--server", server.url, "--token", token)
    assert "scans: image in request link" in listed.stdout


def test_a_killed_server_runs_the_job_again_to_completion_exactly_once(
    server: LiveServer, tmp_path: Path
) -> None:
    token = account_token(server, "alice", tmp_path)
    client = api(server, token)
    rule = {"name": "web", "source_kind": "folder", "source": "Videos", "match_types": ["media"],
            "output": "mp4", "target_folder": "Web"}  # fmt: skip
    assert client.post("/automation/rules", json=rule).status_code == 201
    clip = samples.clip(tmp_path / "clip.mkv", seconds=40.0, size="640x480")
    stored = client.put("/storage/content", params={"path": "Videos/clip.mkv"},
                        content=clip.read_bytes())  # fmt: skip
    assert stored.status_code == 200, stored.text

    def running() -> Any:
        jobs = client.get("/jobs").json()["jobs"]
        return jobs[0] if jobs and jobs[0]["status"] == "running" else None

    first = wait_for(running)
    assert first["attempts"] == 1
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    time.sleep(0.5)
    assert not _ffmpeg_of(server.data_dir), "the action died with its server"

    port = int(server.url.rsplit(":", 1)[1])
    settings = tmp_path / "settings.toml"
    again = start_live_server(server.data_dir, port, env={"SYNCOXIDE_SETTINGS": str(settings)})
    server.process = again.process
    client = api(again, token)

    def finished() -> Any:
        job = client.get(f"/jobs/{first['id']}").json()
        return job if job["status"] in ("done", "dead") else None

    job = wait_for(finished, seconds=180)
    assert (job["status"], job["attempts"]) == ("done", 2), job
    listing = client.get("/storage", params={"path": "Web"}).json()["entries"]
    assert [e["path"] for e in listing] == ["Web/clip.mp4"]
    out = tmp_path / "out.mp4"
    out.write_bytes(client.get("/storage/content", params={"path": "Web/clip.mp4"}).content)
    assert samples.duration_of(out) == pytest.approx(40.0, abs=0.3)
    events = client.get("/events").json()["events"]
    finished_events = [e for e in events if e["kind"] == "automation.job.finished"]
    assert [e["payload"]["job"] for e in finished_events] == [first["id"]]
    assert len(client.get("/jobs").json()["jobs"]) == 1


def _ffmpeg_of(data_dir: Path) -> list[str]:
    found = subprocess.run(["pgrep", "-af", "ffmpeg"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if str(data_dir) in line]


def test_a_folder_rule_stamps_the_users_own_logo_on_each_photo(
    server: LiveServer, tmp_path: Path
) -> None:
    token = account_token(server, "alice", tmp_path)
    client = api(server, token)
    rule = {"name": "stamp", "source_kind": "folder", "source": "Photos", "output": "png",
            "target_folder": "Stamped",
            "options": {"watermark_image": "Brand/logo.png"}}  # fmt: skip
    refused = client.post("/automation/rules", json=rule)  # no logo stored yet
    assert refused.status_code == 404 and "Brand/logo.png" in refused.text, refused.text
    logo = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 255)).save(logo, "PNG")
    assert client.put("/storage/content", params={"path": "Brand/logo.png"},
                      content=logo.getvalue()).status_code == 200  # fmt: skip
    assert client.post("/automation/rules", json=rule).status_code == 201
    white = jpeg((400, 300), (255, 255, 255))
    assert client.put("/storage/content", params={"path": "Photos/a.jpg"},
                      content=white).status_code == 200  # fmt: skip

    def done() -> Any:
        jobs = client.get("/jobs").json()["jobs"]
        return jobs[0] if jobs and jobs[0]["status"] in ("done", "dead") else None

    job = wait_for(done)
    assert job["status"] == "done", job
    stamped = client.get("/storage/content", params={"path": "Stamped/a.png"})
    with Image.open(io.BytesIO(stamped.content)) as image:
        assert image.size == (400, 300)
        grey = image.getpixel((400 - 80 - 8 + 40, 300 - 40 - 8 + 20))
        assert all(110 <= channel <= 145 for channel in grey), grey  # the logo, half opaque
        assert image.getpixel((10, 10)) == (255, 255, 255)
