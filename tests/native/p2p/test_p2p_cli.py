"""CLI to CLI over loopback through a live server: folders, resume after a kill, bad links."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from pathlib import Path

import httpx2
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import LiveServer
from tests.native.p2p.p2p_processes import start_cli, wait_for_link


def make_tree(root: Path, big: int = 3_000_000) -> Path:
    tree = root / "album"
    (tree / "nested" / "deeper").mkdir(parents=True)
    (tree / "empty").mkdir()
    (tree / "big.bin").write_bytes(hashlib.sha256(b"seed").digest() * (big // 32))
    (tree / "nested" / "note.txt").write_text("hello\n")
    (tree / "nested" / "deeper" / "zero.bin").write_bytes(b"")
    return tree


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted(root.rglob("*"))
    }


def test_folder_tree_arrives_verified_by_link_and_by_code(
    tmp_path: Path, live_server: LiveServer
) -> None:
    tree = make_tree(tmp_path / "src")
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "60", "--qr"],
        tmp_path / "send.log",
    )
    try:
        link, code = wait_for_link(sender)
        assert "#" in link and len(code) == 9
        receiver = start_cli(
            ["receive", code, "--server", live_server.url, "-o", str(tmp_path / "out")],
            tmp_path / "recv.log",
        )
        code_rc, received = receiver.wait(60)
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert code_rc == 0, received
    assert send_rc == 0, sent
    assert "Verified" in received and "Verified" in sent
    assert "▀" in sent.split("Link:")[0]  # --qr: the link's QR code comes before it
    assert snapshot(tmp_path / "out" / "album") == snapshot(tree)


def test_killed_receiver_resumes_where_it_stopped(tmp_path: Path, live_server: LiveServer) -> None:
    tree = make_tree(tmp_path / "src", big=48 * 1024 * 1024)
    out = tmp_path / "out"
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "90"], tmp_path / "send.log"
    )
    try:
        link, _ = wait_for_link(sender)
        first = start_cli(["receive", link, "-o", str(out)], tmp_path / "recv1.log")
        kept = wait_for_partial(out, at_least=4 * 1024 * 1024, timeout=60)
        first.stop()  # SIGKILL mid-stream
        partial = next(out.rglob("*.syncoxide-part"))
        kept = partial.stat().st_size
        assert 0 < kept < 48 * 1024 * 1024
        second = start_cli(["receive", link, "-o", str(out)], tmp_path / "recv2.log")
        rc, received = second.wait(90)
        send_rc, sent = sender.wait(30)
    finally:
        sender.stop()
    assert rc == 0, received
    assert send_rc == 0, sent
    assert snapshot(out / "album") == snapshot(tree)
    assert not list(out.rglob("*.syncoxide-part"))
    first_progress = received.split("received ", 1)[1].split(" ", 1)[0]
    assert float(first_progress) * 1024 * 1024 >= kept - 1024 * 1024, "resumed from zero"


def wait_for_partial(out: Path, *, at_least: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for partial in out.rglob("*.syncoxide-part"):
            size = partial.stat().st_size
            if size >= at_least:
                return size
        time.sleep(0.01)
    raise AssertionError("the receiver never wrote a partial file")


def test_forged_link_is_refused_and_writes_nothing(tmp_path: Path, live_server: LiveServer) -> None:
    tree = make_tree(tmp_path / "src", big=1000)
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "30"], tmp_path / "send.log"
    )
    try:
        link, _ = wait_for_link(sender)
        forged = link.split("#")[0] + "#" + "A" * 43
        receiver = start_cli(
            ["receive", forged, "-o", str(tmp_path / "out")], tmp_path / "recv.log"
        )
        rc, output = receiver.wait(30)
    finally:
        sender.stop()
    assert rc == 1
    assert "refused the room token" in output
    assert not any((tmp_path / "out").rglob("*")) if (tmp_path / "out").exists() else True


def test_unknown_code_says_so(tmp_path: Path, live_server: LiveServer) -> None:
    receiver = start_cli(
        ["receive", "ZZZZ-ZZZZ", "--server", live_server.url, "-o", str(tmp_path)],
        tmp_path / "r.log",
    )
    rc, output = receiver.wait(30)
    assert rc == 1
    assert "knows no transfer with that code" in output


def test_ctrl_c_on_the_sender_cancels_the_receiver(tmp_path: Path, live_server: LiveServer) -> None:
    tree = make_tree(tmp_path / "src", big=64 * 1024 * 1024)
    out = tmp_path / "out"
    sender = start_cli(
        ["send", str(tree), "--server", live_server.url, "--wait", "60"], tmp_path / "send.log"
    )
    try:
        link, _ = wait_for_link(sender)
        receiver = start_cli(["receive", link, "-o", str(out)], tmp_path / "recv.log")
        wait_for_partial(out, at_least=1024 * 1024, timeout=60)
        sender.process.send_signal(signal.SIGINT)
        rc, output = receiver.wait(30)
        sender.wait(30)
    finally:
        sender.stop()
    assert rc == 1, output
    assert "The sender cancelled the transfer" in output
    assert not (out / "album" / "big.bin").exists()


def test_a_copy_the_server_does_not_hold_is_refused_and_never_offered(
    tmp_path: Path, live_server: LiveServer
) -> None:
    room = httpx2.post(f"{live_server.url}/signal/rooms", timeout=10).json()
    socket_url = live_server.url.replace("http", "ws", 1) + f"/signal/{room['room']}"
    with connect(socket_url, open_timeout=10) as sender:  # names a share that does not exist
        sender.send(json.dumps({"type": "join", "token": room["token"], "role": "sender"}))
        sender.recv(timeout=10)
        sender.send(json.dumps({"type": "fallback", "url": "/s/AbCdEfGhIjKlMnOpQrStUvWx"}))
        with pytest.raises(ConnectionClosed) as closed:
            sender.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert "sign in to name a server copy" in closed.value.rcvd.reason
    link = f"{live_server.url}/p/{room['room']}#{room['token']}"
    receiver = start_cli(
        ["receive", link, "-o", str(tmp_path / "out"), "--wait", "2"], tmp_path / "r.log"
    )
    rc, output = receiver.wait(30)
    assert rc == 1
    assert "did not connect" in output
    assert "server copy" not in output and "/s/" not in output
