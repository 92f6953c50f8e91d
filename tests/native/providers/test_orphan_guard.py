"""A test run killed with SIGKILL must not leave its servers running (a PostgreSQL holding
shared memory, an sshd on a port): `running` hands each server to a guard that outlives the run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.native.providers.server_processes import orphan_guard

pytestmark = pytest.mark.live

# A stand-in test run: starts a real HTTP server through `running`, says its PID and folder,
# then waits to be killed.
RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tests.native.providers.server_processes import free_port, running
    folder = Path(sys.argv[1])
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1"]
    with running(command, port, folder / "server.log", folders=(folder,)) as server:
        print(server.pid, flush=True)
        time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of ours stays a zombie until reaped; it no longer runs.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_a_killed_run_takes_its_server_and_folder_with_it(tmp_path: Path) -> None:
    folder = tmp_path / "served"
    folder.mkdir()
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, str(folder)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        server = int(run.stdout.readline())
        assert _alive(server)
        run.kill()
        run.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), "the server outlived the killed run"
        while folder.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not folder.exists()
    finally:
        run.kill()
        run.wait(timeout=10)


def test_a_normal_stop_leaves_no_guard_behind(tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        with orphan_guard(sleeper.pid, (tmp_path,)):
            pass
        time.sleep(0.6)  # longer than the guard's poll: it would have acted by now
        assert sleeper.poll() is None and tmp_path.exists()
    finally:
        sleeper.kill()
        sleeper.wait(timeout=10)


# A stand-in test run that starts a real `syncoxide serve` (not in a process group of its own).
RUN_SERVE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tests.conftest import start_live_server
    server = start_live_server(Path(sys.argv[1]))
    print(server.process.pid, flush=True)
    time.sleep(120)
    """
)


def test_a_killed_run_takes_its_syncoxide_server_with_it(tmp_path: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", RUN_SERVE, str(tmp_path / "data")],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        server = int(run.stdout.readline())
        assert _alive(server)
        run.kill()
        run.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), "syncoxide serve outlived the killed run"
    finally:
        run.kill()
        run.wait(timeout=10)
