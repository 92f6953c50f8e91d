"""Files arriving over SFTP (a real sshd on loopback, written by a real SFTP client) while an
automation rule polls the folder: a file written slowly, in chunks with pauses longer than the
poll interval, makes exactly one job, on its whole content; a file written in one go makes
one job about ``quiet_seconds`` after it lands; a file written under a temporary name
(WinSCP's ``.filepart``, rsync's ``.NAME.XXXXXX``...) is never taken, however long its writer
pauses, and makes its one job once renamed."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from PIL import Image

from tests.server.accountshares.shares_world import Person, World
from tests.server.automation.provider_world import (
    add_rule,
    automation_world,
    connect_sftp,
    wait_first_look,
    wait_for,
)
from tests.server.photos.test_photos_api import _png, picture
from tests.servers import SshServer

POLL, QUIET = 0.5, 2.5
PAUSE = 1.2  # between chunks: longer than two polls, shorter than the quiet window


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with automation_world(tmp_path, monkeypatch, poll_seconds=POLL, quiet_seconds=QUIET) as made:
        yield made


def thumbnail_rule(
    person: Person, sshd: SshServer, match_types: tuple[str, ...] = ("image",)
) -> tuple[Path, dict[str, Any]]:
    connect_sftp(person, "srv", sshd)
    folder = sshd.home / f"settle-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    rule = add_rule(person, name="thumbs", source_kind="connection", source=f"srv:{folder}",
                    match_types=list(match_types), output="jpg", target_folder="out",
                    options={"max_size": 64})  # fmt: skip
    wait_first_look(person, rule["id"])
    return folder, rule


@contextlib.asynccontextmanager
async def sftp_session(sshd: SshServer) -> AsyncIterator[asyncssh.SFTPClient]:
    """An SFTP client session on the suite's sshd, as the test's user."""
    async with (
        asyncssh.connect(
            "127.0.0.1",
            sshd.port,
            username=sshd.username,
            client_keys=[str(sshd.client_key)],
            known_hosts=str(sshd.known_hosts),
        ) as ssh,
        ssh.start_sftp_client() as sftp,
    ):
        yield sftp


def sftp_write(
    sshd: SshServer, path: Path, chunks: list[bytes], pause: float, *, rename_to: Path | None = None
) -> None:
    """Write ``chunks`` to ``path`` through one open SFTP handle, pausing between them, then
    rename it to ``rename_to`` (when given), as writers with a temporary name do."""

    async def write() -> None:
        async with sftp_session(sshd) as sftp, sftp.open(str(path), "wb") as handle:
            for n, chunk in enumerate(chunks):
                if n:
                    await asyncio.sleep(pause)
                await handle.write(chunk)
        if rename_to is not None:
            async with sftp_session(sshd) as sftp:  # another session, as a separate step
                await sftp.rename(str(path), str(rename_to))

    asyncio.run(write())


def jobs_of(person: Person) -> list[dict[str, Any]]:
    return list(person.get("/api/v1/jobs").json()["jobs"])


def finished(person: Person) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        jobs = jobs_of(person)
        return jobs if any(j["status"] in ("done", "dead") for j in jobs) else None

    return list(wait_for(done))


def test_a_file_written_slowly_over_sftp_makes_one_job_on_its_whole_content(
    world: World, sshd_server: SshServer
) -> None:
    alice = world["alice"]
    folder, _ = thumbnail_rule(alice, sshd_server)
    data = _png(picture(5, (640, 480)))
    quarter = len(data) // 4 + 1
    chunks = [data[n : n + quarter] for n in range(0, len(data), quarter)]
    assert len(chunks) == 4
    sftp_write(sshd_server, folder / "photo.png", chunks, PAUSE)
    assert (folder / "photo.png").read_bytes() == data

    jobs = finished(alice)
    time.sleep(QUIET + 4 * POLL)  # polls go on: nothing more arrives
    jobs = jobs_of(alice)
    assert len(jobs) == 1, [(j["status"], j.get("message")) for j in jobs]
    assert (jobs[0]["status"], jobs[0]["output"]) == ("done", "out/photo.jpg"), jobs[0]
    with Image.open(folder / "out" / "photo.jpg") as image:
        assert image.size == (64, 48), "made from the whole picture"


def test_a_file_written_at_once_over_sftp_makes_one_job_promptly(
    world: World, sshd_server: SshServer
) -> None:
    alice = world["alice"]
    folder, _ = thumbnail_rule(alice, sshd_server)
    sftp_write(sshd_server, folder / "photo.png", [_png(picture(6, (640, 480)))], 0)
    landed = time.monotonic()

    wait_for(lambda: jobs_of(alice), 30)
    waited = time.monotonic() - landed
    assert QUIET - POLL <= waited <= QUIET + 3 * POLL + 1.0, waited
    jobs = finished(alice)
    time.sleep(QUIET + 2 * POLL)
    jobs = jobs_of(alice)
    assert [(j["status"], j["output"]) for j in jobs] == [("done", "out/photo.jpg")], jobs


def test_files_under_temporary_names_are_never_taken_and_the_renamed_one_is(
    world: World, sshd_server: SshServer
) -> None:
    alice = world["alice"]
    folder, _ = thumbnail_rule(alice, sshd_server, match_types=())  # every name matches
    for leftover in ("~$notes.docx", ".photo.png.Ab3xYz", "clip.mp4.crdownload", "a.jpg.part"):
        (folder / leftover).write_bytes(b"half of something")
    data = _png(picture(7, (640, 480)))
    half = len(data) // 2
    stalls = QUIET + 4 * POLL  # a pause the settle wait would take for the end of the file
    sftp_write(sshd_server, folder / "photo.png.filepart", [data[:half], data[half:]], stalls,
               rename_to=folder / "photo.png")  # fmt: skip

    finished(alice)
    time.sleep(QUIET + 4 * POLL)  # polls go on: the leftovers stay still, and are not taken
    jobs = jobs_of(alice)
    assert [(j["status"], j["items"]) for j in jobs] == [("done", ["photo.png"])], jobs
    with Image.open(folder / "out" / "photo.jpg") as image:
        assert image.size == (64, 48), "made from the whole picture"
