"""Fault suite: the server SIGKILLed while ``syncoxide send --also-upload`` fills the server copy.

The sender uploads its files into a share over tus in checksummed chunks (``upload_file``);
the share is named in the room only once the server lists every file with the manifest's size
and SHA-256. Killed between chunks and started again on the same data folder, the upload must
carry on by itself from the offset the server kept (no restart of the file, no failure while
the server is away), a file still arriving must never be listed in the share, and the copy
that is finally named must be the sender's bytes exactly.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import httpx2
import pytest

from syncoxide.cli.links import command as links_command
from syncoxide.cli.p2p.upload import upload_server_copy
from syncoxide.native.p2p.files import SourceFiles
from tests.conftest import account_token
from tests.server.hostile.test_fault_kill import Killable, killable

pytestmark = pytest.mark.live  # starts real servers

__all__ = ["killable"]  # the fixture, shared with the other kill tests

MiB = 1 << 20
KILL_AFTER_CHUNKS = 3


def test_a_server_copy_upload_survives_a_server_kill_and_resumes_where_it_was(
    killable: Killable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = account_token(killable.server, "sender", tmp_path)
    folder = tmp_path / "holiday"
    folder.mkdir()
    (folder / "small.txt").write_bytes(b"first, whole before the kill\n")
    (folder / "big.bin").write_bytes(os.urandom(12 * MiB))
    sources = SourceFiles([folder])
    monkeypatch.setattr(links_command, "CHUNK", MiB)  # many chunks: the kill falls between two

    real_send = links_command._send_chunk
    sent_offsets: list[int] = []
    seen_while_away: list[dict[str, Any]] = []
    looked = threading.Event()
    restarted = threading.Thread(
        target=restart_and_look, args=(killable, token, seen_while_away, looked)
    )

    def send_then_die(client: httpx2.Client, location: str, chunk: Any) -> int:
        if restarted.is_alive() or looked.is_set():
            # After the kill: no chunk goes on before the share was looked at, or on a loaded
            # machine the uploader could finish big.bin first and the look would see it whole.
            assert looked.wait(timeout=120), "the restarted server was never looked at"
        offset = real_send(client, location, chunk)
        sent_offsets.append(chunk.offset)
        if len(sent_offsets) == KILL_AFTER_CHUNKS + 1 and chunk.offset > 0:  # inside big.bin
            killable.kill()
            restarted.start()  # comes back while the uploader keeps trying
        return offset

    monkeypatch.setattr(links_command, "_send_chunk", send_then_die)
    url = upload_server_copy(killable.url, token, sources, "holiday")
    restarted.join(timeout=120)

    assert killable.server.process.poll() is None, "the server was not restarted"
    # Resumed, not started over: no offset of big.bin was sent twice from the start.
    big_offsets = sent_offsets[sent_offsets.index(0, 1) :]
    assert big_offsets.count(0) == 1, sent_offsets
    (shares,) = seen_while_away
    assert all(f["size"] in {len(b"first, whole before the kill\n")} for f in shares["files"])
    share = httpx2.get(
        f"{killable.url}/api/v1/shares/{url.rsplit('/', 1)[-1]}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    by_path = {f["path"]: f for f in share["files"]}
    for path, entry in zip(sources.paths, sources.manifest.files, strict=True):
        listed = by_path[entry.path]
        assert listed["size"] == entry.size
        served = httpx2.get(killable.url + listed["download_url"].split(killable.url)[-1])
        assert hashlib.sha256(served.content).digest() == hashlib.sha256(path.read_bytes()).digest()


def restart_and_look(
    killable: Killable, token: str, seen: list[dict[str, Any]], looked: threading.Event
) -> None:
    """Start the server again and note what its share lists before the upload goes on."""
    try:
        killable.restart()
        auth = {"Authorization": f"Bearer {token}"}
        (share,) = httpx2.get(f"{killable.url}/api/v1/shares", headers=auth).json()["links"]
        seen.append(httpx2.get(f"{killable.url}/api/v1/shares/{share['id']}", headers=auth).json())
    finally:
        looked.set()
