"""CLI to CLI with the server copy: ``send --also-upload``, then a receiver that finds the sender
gone (never there, killed mid-transfer, or the server restarted in between) gets the copy,
verified; a tampered copy fails with an integrity error and leaves nothing under the file's name.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from syncoxide.cli.p2p.server_copy import fetch_server_copy
from syncoxide.errors import AlreadyExistsError, IntegrityError, NotFoundError
from syncoxide.native.p2p.files import DestinationFolder, SourceFiles
from syncoxide.protocol.manifest import Manifest
from syncoxide.protocol.receiving import ReceiverProgress
from tests.conftest import LiveServer, account_token, run_cli, start_live_server
from tests.native.p2p.p2p_processes import CliRun, start_cli, wait_for_link
from tests.native.p2p.test_p2p_cli import make_tree, snapshot, wait_for_partial

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: one test restarts it."""
    live = start_live_server(tmp_path_factory.mktemp("copy-data"))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def token(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    return account_token(server, "copier", tmp_path_factory.mktemp("copier"))


def _send(server: LiveServer, token: str, tree: Path, log: Path, wait: float) -> CliRun:
    args = ["send", str(tree), "--also-upload", "--server", server.url, "--token", token]
    return start_cli([*args, "--wait", str(wait)], log)


def _wait_for_copy(sender: CliRun, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"Server copy ready: (\S+)", sender.output())
        if found:
            return found.group(1)
        assert sender.process.poll() is None, sender.output()
        time.sleep(0.05)
    raise AssertionError(f"no server copy was announced:\n{sender.output()}")


def _send_and_leave(server: LiveServer, token: str, tree: Path, tmp_path: Path) -> str:
    """Run ``send --also-upload --wait 2`` with no receiver; return its link once it exited."""
    sender = _send(server, token, tree, tmp_path / "send.log", wait=2)
    try:
        link, _ = wait_for_link(sender)
        send_rc, sent = sender.wait(60)
    finally:
        sender.stop()
    assert send_rc == 0, sent
    assert "Server copy ready" in sent and "No receiver connected within 2 s" in sent
    return link


def _receive(link: str, out: Path, log: Path) -> CliRun:
    return start_cli(["receive", link, "-o", str(out), "--wait", "60"], log)


def test_sender_gone_before_the_receiver_starts(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src")
    link = _send_and_leave(server, token, tree, tmp_path)
    rc, received = _receive(link, tmp_path / "out", tmp_path / "recv.log").wait(60)
    assert rc == 0, received
    assert "fetching its server copy" in received
    assert "Verified" in received and "server copy" in received.split("Verified")[1]
    assert snapshot(tmp_path / "out" / "album") == _without_empty_folders(snapshot(tree))
    assert not list((tmp_path / "out").rglob("*.syncoxide-part"))


def test_sender_killed_mid_transfer_the_receiver_finishes_from_the_copy(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=32 * 1024 * 1024)
    out = tmp_path / "out"
    sender = _send(server, token, tree, tmp_path / "send.log", wait=60)
    receiver: CliRun | None = None
    try:
        link, _ = wait_for_link(sender)
        _wait_for_copy(sender)
        receiver = _receive(link, out, tmp_path / "recv.log")
        kept = wait_for_partial(out, at_least=2 * 1024 * 1024, timeout=60)
        sender.process.kill()  # SIGKILL: no goodbye on any channel
        rc, received = receiver.wait(90)
    finally:
        sender.stop()
        if receiver is not None:
            receiver.stop()
    assert rc == 0, received
    assert "fetching its server copy" in received
    resumed = re.search(r"big\.bin: continuing from byte (\d+)", received)
    assert resumed, received  # the peer-to-peer part was kept, not fetched again
    assert int(resumed.group(1)) >= kept
    assert snapshot(out / "album") == snapshot(tree)
    assert not list(out.rglob("*.syncoxide-part"))


def test_a_restarted_server_still_offers_the_copy(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src")
    link = _send_and_leave(server, token, tree, tmp_path)
    server.stop()
    restarted = start_live_server(server.data_dir, port=int(server.url.rsplit(":", 1)[1]))
    server.process = restarted.process  # the module fixture stops this one at the end
    rc, received = _receive(link, tmp_path / "out", tmp_path / "recv.log").wait(60)
    assert rc == 0, received
    assert "fetching its server copy" in received
    assert snapshot(tmp_path / "out" / "album") == _without_empty_folders(snapshot(tree))


def test_a_tampered_copy_fails_and_leaves_no_file(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=300_000)
    original = (tree / "big.bin").read_bytes()
    link = _send_and_leave(server, token, tree, tmp_path)
    blob = next(p for p in (server.data_dir / "blobs").rglob("*") if _holds(p, original))
    damaged = bytearray(original)
    damaged[1000] ^= 0xFF
    blob.write_bytes(bytes(damaged))  # same size: only the hash can tell
    out = tmp_path / "out"
    rc, received = _receive(link, out, tmp_path / "recv.log").wait(60)
    assert rc == 1, received
    assert "big.bin: the server copy's SHA-256 does not match" in received
    assert not (out / "album" / "big.bin").exists()
    assert not list(out.rglob("*.syncoxide-part"))


def _without_empty_folders(tree: dict[str, str]) -> dict[str, str]:
    """A share link holds files only: with no manifest from the sender, empty folders are not
    known (the killed-sender test, whose manifest arrived peer-to-peer, keeps them)."""
    return {
        path: kind
        for path, kind in tree.items()
        if kind != "dir" or any(other.startswith(f"{path}/") for other in tree)
    }


def _holds(path: Path, content: bytes) -> bool:
    return path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content


def _shared(server: LiveServer, token: str, tree: Path) -> str:
    shared = run_cli("share", tree, "--server", server.url, "--token", token)
    assert shared.returncode == 0, shared.stderr
    printed = shared.stdout
    return printed.strip().splitlines()[-1]


def _manifest_of(tree: Path) -> Manifest:
    return SourceFiles([tree]).manifest


def _no_counting(_manifest: Manifest) -> Callable[[int], None]:
    return lambda _amount: None


def test_a_copy_that_differs_from_the_announced_files_is_refused_before_writing(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=1000)
    announced = _manifest_of(tree)
    (tree / "nested" / "note.txt").write_text("changed after the transfer began\n")
    link = _shared(server, token, tree)
    progress = ReceiverProgress(b"t" * 16)
    progress.adopt(announced)
    folder = DestinationFolder(tmp_path / "out", progress.transfer_id)
    with pytest.raises(IntegrityError, match=r"album/nested/note\.txt differs"):
        fetch_server_copy(link, folder, progress, _no_counting)
    assert not any(p.is_file() for p in (tmp_path / "out").rglob("*"))


def test_a_different_file_already_in_the_folder_is_never_overwritten(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=1000)
    link = _shared(server, token, tree)
    mine = tmp_path / "out" / "album" / "nested" / "note.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own note\n")
    folder = DestinationFolder(tmp_path / "out", b"t" * 16)
    with pytest.raises(AlreadyExistsError, match="not overwritten"):
        fetch_server_copy(link, folder, ReceiverProgress(b"t" * 16), _no_counting)
    assert mine.read_text() == "my own note\n"


def test_a_revoked_copy_says_so_and_keeps_what_arrived(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=1000)
    link = _shared(server, token, tree)
    share_id = link.rsplit("/", 1)[1]
    revoked = httpx2.delete(
        f"{server.url}/api/v1/shares/{share_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert revoked.status_code in (200, 204), revoked.text
    folder = DestinationFolder(tmp_path / "out", b"t" * 16)
    with pytest.raises(NotFoundError, match="server copy cannot be used") as failed:
        fetch_server_copy(link, folder, ReceiverProgress(b"t" * 16), _no_counting)
    assert "kept" in str(failed.value)


def test_with_the_receiver_there_the_transfer_is_peer_to_peer_and_the_copy_completes(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src")
    sender = _send(server, token, tree, tmp_path / "send.log", wait=60)
    try:
        link, _ = wait_for_link(sender)
        rc, received = _receive(link, tmp_path / "out", tmp_path / "recv.log").wait(60)
        send_rc, sent = sender.wait(60)
    finally:
        sender.stop()
    assert rc == 0, received
    assert send_rc == 0, sent
    assert "(peer-to-peer)" in received and "server copy" not in received
    assert snapshot(tmp_path / "out" / "album") == snapshot(tree)
    copy = re.search(r"Server copy ready: (\S+)", sent)
    assert copy, sent  # the sender waited for its copy before leaving
    listed = httpx2.get(copy.group(1).replace("/s/", "/api/v1/shares/"), timeout=10).json()
    assert sorted(f["path"] for f in listed["files"]) == sorted(
        f"album/{path}" for path, kind in snapshot(tree).items() if kind != "dir"
    )


def test_with_no_receiver_and_no_copy_the_sender_says_so(
    server: LiveServer, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=1000)
    sender = start_cli(["send", str(tree), "--server", server.url, "--wait", "1"], tmp_path / "s")
    rc, output = sender.wait(30)
    assert rc == 1, output
    assert "No receiver connected within 1 s. Nothing was sent" in output
    assert "Traceback" not in output


def test_also_upload_without_a_token_stops_before_anything_is_sent(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCOXIDE_CONFIG_DIR", str(tmp_path / "no-login"))
    monkeypatch.delenv("SYNCOXIDE_TOKEN", raising=False)
    tree = make_tree(tmp_path / "src", big=1000)
    args = ["send", str(tree), "--server", server.url, "--wait", "1", "--also-upload"]
    sender = start_cli(args, tmp_path / "s")
    rc, output = sender.wait(30)
    assert rc == 2, output
    assert "No token for" in output
    assert "Link:" not in output


def test_a_refused_upload_is_reported_and_no_copy_is_announced(
    server: LiveServer, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "src", big=1000)
    bogus = ["--token", "sxo_not_a_real_token", "--wait", "2"]
    sender = start_cli(
        ["send", str(tree), "--also-upload", "--server", server.url, *bogus], tmp_path / "s"
    )
    rc, output = sender.wait(30)
    assert rc == 1, output
    assert "The server copy failed" in output and "refused the token" in output
    assert "No receiver connected within 2 s, and the server copy failed" in output
    assert "Server copy ready" not in output
