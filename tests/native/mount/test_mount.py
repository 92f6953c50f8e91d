"""``syncoxide mount`` through the kernel: listings, random reads and writes compared with the
provider itself, over a local folder, a real S3 server (rclone serve s3) and an encrypted
remote; read-only refusals; unmounting with ``fusermount3 -u`` and with Ctrl-C."""

from __future__ import annotations

import asyncio
import errno
import os
import random
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from syncoxide.native.remotes.store import RemoteStore, open_remote
from tests.native.mount.mounting import CLI, cli, mounted, needs_fuse, wait_for
from tests.servers import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = needs_fuse
TREE = {
    "a.txt": b"alpha\n" * 100,
    "photos/big.bin": random.Random(7).randbytes(9_000_000),
    "photos/deep/small.bin": b"x" * 5,
    "empty": b"",
}
LOAD_SIZE = 600_000


def _fill(folder: Path) -> None:
    for path, data in TREE.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)


def _listing(root: Path) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): p.stat().st_size if p.is_file() else -1
        for p in root.rglob("*")
    }


def _random_reads(path: Path, data: bytes, count: int = 40) -> None:
    chooser = random.Random(3)
    with path.open("rb") as handle:
        for _ in range(count):
            offset = chooser.randrange(0, len(data))
            size = chooser.randrange(1, 300_000)
            handle.seek(offset)
            assert handle.read(size) == data[offset : offset + size]


def test_a_local_folder_lists_reads_and_takes_writes(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _fill(source)
    with mounted(tmp_path / "config", str(source), tmp_path / "mnt") as mnt:
        assert _listing(mnt) == _listing(source)
        assert (mnt / "photos/big.bin").read_bytes() == TREE["photos/big.bin"]
        _random_reads(mnt / "photos/big.bin", TREE["photos/big.bin"])
        with (mnt / "photos/new.bin").open("wb") as handle:
            handle.write(b"fresh " * 1000)
            assert os.getxattr(mnt / "photos/new.bin", "user.syncoxide.state") == b"pending-upload"
        assert (source / "photos/new.bin").read_bytes() == b"fresh " * 1000  # there once closed
        assert os.getxattr(mnt / "photos/new.bin", "user.syncoxide.state") == b"uploaded"
        with (mnt / "a.txt").open("r+b") as handle:  # a write in the middle keeps the rest
            handle.seek(6)
            handle.write(b"BETA!\n")
        assert (source / "a.txt").read_bytes() == b"alpha\nBETA!\n" + b"alpha\n" * 98
        (mnt / "made/inner").mkdir(parents=True)
        (mnt / "photos/deep/small.bin").rename(mnt / "made/inner/moved.bin")
        (mnt / "empty").unlink()
        assert (source / "made/inner/moved.bin").read_bytes() == b"x" * 5
        assert not (source / "photos/deep/small.bin").exists() and not (source / "empty").exists()
        with pytest.raises(OSError) as refused:
            (mnt / "photos").rmdir()
        assert refused.value.errno == errno.ENOTEMPTY
        with pytest.raises(FileNotFoundError):
            (mnt / "nothing.txt").read_bytes()


def test_an_s3_remote_matches_what_the_provider_holds(tmp_path: Path, rclone_s3: S3Server) -> None:
    config = tmp_path / "config"
    options = [f"bucket={rclone_s3.bucket}", f"endpoint={rclone_s3.endpoint}"]
    options += [f"access_key_id={ACCESS_KEY}", f"secret_access_key={SECRET_KEY}"]
    assert cli(config, "remote", "add", "box", "s3", *options).returncode == 0
    source = tmp_path / "source"
    _fill(source)
    copied = cli(config, "sync", str(source), "box:mounted", "--mode", "copy")
    assert copied.returncode == 0, copied.stderr
    with mounted(config, "box:mounted", tmp_path / "mnt") as mnt:
        assert _listing(mnt) == _listing(source)
        _random_reads(mnt / "photos/big.bin", TREE["photos/big.bin"])
        (mnt / "photos/new.bin").write_bytes(b"to s3 " * 50_000)
        assert _read_remote(config, "box", "mounted/photos/new.bin") == b"to s3 " * 50_000


def _read_remote(config: Path, name: str, path: str) -> bytes:
    kind, options = RemoteStore(config).options(name)
    provider = open_remote(kind, options, "")

    async def read() -> bytes:
        try:
            return b"".join([chunk async for chunk in provider.open_read(path)])
        finally:
            await provider.aclose()  # type: ignore[attr-defined]

    return asyncio.run(read())


def test_an_encrypted_remote_shows_plain_names_and_bytes(tmp_path: Path) -> None:
    config, store = tmp_path / "config", tmp_path / "ciphertext"
    store.mkdir()
    added = cli(config, "remote", "add", "vault", "crypt", f"remote={store}", "password=pw 1")
    assert added.returncode == 0, added.stderr
    with mounted(config, "vault:", tmp_path / "mnt") as mnt:
        (mnt / "secret plans.txt").write_bytes(b"attack at dawn\n" * 1000)
        assert (mnt / "secret plans.txt").read_bytes() == b"attack at dawn\n" * 1000
    stored = [p for p in store.rglob("*") if p.is_file()]
    assert stored and all("secret" not in p.name for p in stored)
    assert all(b"attack at dawn" not in p.read_bytes() for p in stored)
    with mounted(config, "vault:", tmp_path / "mnt") as mnt:
        assert _listing(mnt) == {"secret plans.txt": 15_000}


def test_a_read_only_mount_refuses_changes(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _fill(source)
    before = _listing(source)
    with mounted(tmp_path / "config", str(source), tmp_path / "mnt", "--read-only") as mnt:
        assert (mnt / "a.txt").read_bytes() == TREE["a.txt"]
        for change in (
            lambda: (mnt / "a.txt").write_bytes(b"no"),
            lambda: (mnt / "new.txt").write_bytes(b"no"),
            lambda: (mnt / "a.txt").unlink(),
            lambda: (mnt / "dir").mkdir(),
        ):
            with pytest.raises(OSError) as refused:
                change()
            assert refused.value.errno == errno.EROFS
    assert _listing(source) == before
    assert (source / "a.txt").read_bytes() == TREE["a.txt"] and not (source / "new.txt").exists()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_unmounts_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    """libfuse 3 ends its loop on these signals with an error code of its own (8): the mount
    still stops as cleanly as after fusermount3 -u, with its change watch let go first."""
    source, mnt = tmp_path / "source", tmp_path / "mnt"
    _fill(source)
    mnt.mkdir()
    process = subprocess.Popen([*CLI, "mount", str(source), str(mnt)], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    wait_for(lambda: os.path.ismount(mnt))
    assert (mnt / "a.txt").read_bytes() == TREE["a.txt"]
    process.send_signal(stop)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert not os.path.ismount(mnt) and "Unmounted" in output
    assert "Traceback" not in output and "destroyed but it is pending" not in output, output


def test_bad_mount_points_are_refused_with_a_reason(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _fill(source)
    busy = cli(tmp_path / "config", "mount", str(source), str(source))
    assert busy.returncode == 2 and "is not empty" in busy.stderr
    missing = cli(tmp_path / "config", "mount", str(source), str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr


def _keep_writing(mnt: Path, worker: int, stop: threading.Event, written: list[int]) -> None:
    """Overwrite one file with whole versions (each a single repeated byte) until stopped or
    the mount goes away under it (expected)."""
    version = 0
    while not stop.is_set():
        version += 1
        try:
            (mnt / f"load-{worker}.bin").write_bytes(bytes([version % 251]) * LOAD_SIZE)
        except OSError:
            return
        written.append(version)


def _keep_reading(mnt: Path, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            (mnt / "photos/big.bin").read_bytes()
        except OSError:
            return


def test_unmounting_under_load_leaves_only_whole_files(tmp_path: Path) -> None:
    """Ctrl-C while writers and a reader are busy: each file at the provider is afterwards
    absent or one whole version, never a torn or emptied one, and nothing else is left."""
    source, mnt = tmp_path / "source", tmp_path / "mnt"
    _fill(source)
    mnt.mkdir()
    process = subprocess.Popen([*CLI, "mount", str(source), str(mnt)], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    wait_for(lambda: os.path.ismount(mnt))
    stop, written = threading.Event(), []
    workers = [
        *(threading.Thread(target=_keep_writing, args=(mnt, n, stop, written)) for n in range(3)),
        threading.Thread(target=_keep_reading, args=(mnt, stop)),
    ]
    for worker in workers:
        worker.start()
    wait_for(lambda: len(written) >= 6)
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        stop.set()
        if os.path.ismount(mnt):
            subprocess.run(["fusermount3", "-u", "-z", str(mnt)], check=False)
        for worker in workers:
            worker.join(30)
    assert process.returncode == 0, output
    loads = {f"load-{n}.bin" for n in range(3)}
    for name in loads & {p.name for p in source.iterdir()}:
        data = (source / name).read_bytes()
        assert len(data) == LOAD_SIZE and data == data[:1] * LOAD_SIZE, f"{name} is torn"
    assert {p.name for p in source.iterdir()} <= {*TREE, "photos", *loads}
    assert (source / "photos/big.bin").read_bytes() == TREE["photos/big.bin"]
