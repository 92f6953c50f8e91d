"""Device sync benchmark: ``syncoxide devices run`` and Syncthing side by side, same trees.

    .venv/bin/python bench/devices_vs_syncthing.py [--small 1000] [--changes 20] [--many 200]
        [--steady 30] [--base DIR]

Both tools run as two devices on loopback, started by this script: ours paired by code through
a ``syncoxide serve`` it starts; Syncthing (Debian ``syncthing``) as two instances with their
own homes, discovery, relays and NAT off, each told the other's loopback address, the folder's
file watcher on with its shortest delay (1 s; the default is 10 s). Cases, in this order:

* initial sync: N small files (1-64 KiB, seeded) dropped into the first device's empty folder,
  timed until the second device holds them all with the same SHA-256;
* propagation of one changed file, repeated ``--changes`` times: p50 and p95;
* propagation of ``--many`` files changed at once (default 200), timed until all arrived;
* CPU seconds (user+sys, from /proc) and peak RSS (VmHWM) of each device process;
* steady state, once in step: CPU seconds per minute of each device over ``--steady`` seconds
  with nothing changing, then over as long with one small file changed every second.

Prints one table with both tools per row, plus the ratio ours/Syncthing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "syncoxide.cli.main"]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def visible_files(root: Path) -> dict[str, int]:
    found = {}
    for directory, folders, files in os.walk(root):
        folders[:] = [f for f in folders if not f.startswith((".st", ".syncoxide"))]
        for name in files:
            if not name.startswith(".syncthing."):
                path = Path(directory, name)
                found[path.relative_to(root).as_posix()] = path.stat().st_size
    return found


def digest_of(root: Path) -> dict[str, str]:
    return {p: hashlib.sha256((root / p).read_bytes()).hexdigest() for p in visible_files(root)}


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(0.02)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting until {what}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def peak_rss_mb(pid: int) -> float:
    found = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) / 1024 if found else float("nan")


@dataclass
class Pair:
    """Two running devices of one tool: their folders and process ids."""

    name: str
    first: Path
    second: Path
    pids: list[int]
    processes: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def start_ours(base: Path) -> Pair:
    server_port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(server_port), "--data-dir", str(base / "server")],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{server_port}"
    pair = Pair("syncoxide", base / "ours-a-files", base / "ours-b-files", [], [server])
    with stopped_on_failure(pair):
        _pair_and_run(base, url, pair)
    return pair


def _pair_and_run(base: Path, url: str, pair: Pair) -> None:
    wait_until(lambda: _answers(f"{url}/healthz"), 120, "syncoxide serve is up")  # a loaded machine
    homes = [base / "ours-a", base / "ours-b"]
    envs = [{**os.environ, "SYNCOXIDE_CONFIG_DIR": str(home)} for home in homes]
    ids = [_ours_json(env, "devices", "id")["device_id"] for env in envs]
    offer = subprocess.Popen(
        [*CLI, "devices", "pair", "--server", url, "--wait", "60"],
        cwd=REPO, env=envs[0], stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert offer.stdout is not None
    code = next(line.split()[1] for line in offer.stdout if line.startswith("Code:"))
    _ours_json(envs[1], "devices", "pair", code, "--server", url, "--yes")
    offer.wait(60)
    for env, folder, peer in zip(envs, (pair.first, pair.second), reversed(ids), strict=True):
        _ours_json(env, "devices", "folders", "add", "bench", str(folder), "--with", peer)
    for env in envs:
        daemon = subprocess.Popen(
            [*CLI, "devices", "run"], cwd=REPO, env=env, stdout=subprocess.DEVNULL
        )
        pair.pids.append(daemon.pid)
        pair.processes.insert(0, daemon)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # it answers (Syncthing wants its API key even there)
    except OSError:
        return False


def _ours_json(env: dict[str, str], *args: str) -> dict[str, str]:
    done = subprocess.run(
        [*CLI, *args, "--json"], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    answer: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def start_syncthing(base: Path) -> Pair:
    homes = [base / "st-a", base / "st-b"]
    folders = [base / "st-a-files", base / "st-b-files"]
    ports = [(free_port(), free_port()) for _ in homes]
    ids = [_syncthing_identity(home) for home in homes]
    for index, home in enumerate(homes):
        other = 1 - index
        _configure(
            home / "config.xml",
            Placement(folders[index], ids[index], ids[other]),
            ports=(ports[index][0], ports[index][1], ports[other][1]),
        )
        folders[index].mkdir(parents=True, exist_ok=True)
    # --no-restart: one process per instance (no monitor), so its pid is the one measured.
    command = ["syncthing", "serve", "--no-browser", "--no-restart", "--no-upgrade"]
    env = {**os.environ, "STNOUPGRADE": "1", "STNORESTART": "1", "STMONITORED": "yes"}
    processes = [
        subprocess.Popen(
            [*command, f"--home={home}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for home in homes
    ]
    pair = Pair("Syncthing 1.19", folders[0], folders[1], [p.pid for p in processes], processes)
    with stopped_on_failure(pair):
        for gui, _ in ports:
            url = f"http://127.0.0.1:{gui}/rest/noauth/health"
            wait_until(lambda url=url: _answers(url), 30, "syncthing is up")  # type: ignore[misc]
    return pair


def _syncthing_identity(home: Path) -> str:
    subprocess.run(["syncthing", "generate", f"--home={home}"], check=True, capture_output=True)
    found = subprocess.run(
        ["syncthing", "--device-id", f"--home={home}"], check=True, capture_output=True, text=True
    )
    return found.stdout.strip()


@contextlib.contextmanager
def stopped_on_failure(pair: Pair) -> Iterator[None]:
    try:
        yield
    except BaseException:
        pair.stop()
        raise


@dataclass(frozen=True)
class Placement:
    folder: Path
    me: str
    peer: str


def _configure(path: Path, placement: Placement, *, ports: tuple[int, int, int]) -> None:
    """Rewrite a generated config.xml: our folder and peer, loopback only, nothing global."""
    folder, me, peer = placement.folder, placement.me, placement.peer
    gui, listen, peer_listen = ports
    tree = ET.parse(path)
    root = tree.getroot()
    for old in root.findall("folder") + root.findall("device"):
        root.remove(old)
    shared = ET.SubElement(root, "folder", id="bench", label="bench", path=str(folder))
    watcher = {"fsWatcherEnabled": "true", "fsWatcherDelayS": "1", "rescanIntervalS": "3600"}
    shared.attrib.update({"type": "sendreceive", **watcher})
    for device in (me, peer):
        ET.SubElement(shared, "device", id=device)
    for device, address in ((me, "dynamic"), (peer, f"tcp://127.0.0.1:{peer_listen}")):
        element = ET.SubElement(root, "device", id=device, name=device[:7], compression="metadata")
        ET.SubElement(element, "address").text = address
    root.find("gui/address").text = f"127.0.0.1:{gui}"  # type: ignore[union-attr]
    options = root.find("options")
    assert options is not None
    settings = {
        "listenAddress": f"tcp://127.0.0.1:{listen}", "globalAnnounceEnabled": "false",
        "localAnnounceEnabled": "false", "relaysEnabled": "false", "natEnabled": "false",
        "startBrowser": "false", "urAccepted": "-1", "autoUpgradeIntervalH": "0",
        "crashReportingEnabled": "false",
    }  # fmt: skip
    for key, value in settings.items():
        found = options.find(key)
        (found if found is not None else ET.SubElement(options, key)).text = value
    tree.write(path)


def small_tree(into: Path, count: int) -> None:
    rng = random.Random(20261206)
    for number in range(count):
        folder = into / f"dir{number % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{number:05d}.bin").write_bytes(rng.randbytes(rng.randint(1024, 64 * 1024)))


@dataclass
class Result:
    initial: float
    many: float
    p50: float
    p95: float
    cpu: list[float]
    rss: list[float]
    idle: list[float] = field(default_factory=list)  # CPU s per minute, nothing changing
    trickle: list[float] = field(default_factory=list)  # the same, one change a second


def measure(pair: Pair, staged: Path, changes: int, many: int) -> Result:
    time.sleep(3)  # both devices connected and idle
    cpu_before = [cpu_seconds(pid) for pid in pair.pids]
    start = time.perf_counter()
    shutil.copytree(staged, pair.first, dirs_exist_ok=True)
    expected = visible_files(staged)
    wait_until(lambda: visible_files(pair.second) == expected, 600, f"{pair.name} copied the tree")
    initial = time.perf_counter() - start
    assert digest_of(pair.second) == digest_of(staged), f"{pair.name}: contents differ"
    times = []
    target = "dir00/file00000.bin"
    for round_number in range(changes):
        content = f"change {round_number} {time.time_ns()}\n".encode() * 50
        (pair.first / target).write_bytes(content)  # timed from here to its arrival
        arrived = pair.second / target
        took = wait_until(partial(_holds, arrived, content), 60, f"{pair.name} propagated")
        times.append(took)
        time.sleep(0.3)
    many_took = change_many(pair, many)
    cpu = [cpu_seconds(pid) - before for pid, before in zip(pair.pids, cpu_before, strict=True)]
    rss = [peak_rss_mb(pid) for pid in pair.pids]
    quantiles = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return Result(initial, many_took, statistics.median(times), quantiles[18], cpu, rss)


def change_many(pair: Pair, count: int) -> float:
    """Rewrite ``count`` existing files at once; seconds until the other device has them all."""
    names = sorted(visible_files(pair.first))[1 : count + 1]  # the first is the single case's
    contents = {name: f"many {name} {time.time_ns()}\n".encode() * 40 for name in names}
    start = time.perf_counter()
    for name, content in contents.items():
        (pair.first / name).write_bytes(content)

    def all_arrived() -> bool:
        return all(_holds(pair.second / name, content) for name, content in contents.items())

    wait_until(all_arrived, 600, f"{pair.name} propagated {count} changes")
    return time.perf_counter() - start


def steady(pair: Pair, seconds: float, result: Result) -> None:
    """CPU each device spends per minute once the two are in step: idle, then while one small
    file changes every second (what a running daemon costs most of its life)."""
    time.sleep(3)  # the previous case's last writes settle
    result.idle = _cpu_per_minute(pair, seconds, lambda tick: None)
    target = pair.first / "steady.txt"
    written: list[bytes] = []

    def change(tick: int) -> None:
        written.append(f"steady {tick} {time.time_ns()}\n".encode())
        target.write_bytes(written[-1])

    result.trickle = _cpu_per_minute(pair, seconds, change)
    arrived = pair.second / "steady.txt"
    wait_until(lambda: _holds(arrived, written[-1]), 60, f"{pair.name} kept in step")


def _cpu_per_minute(pair: Pair, seconds: float, tick: Callable[[int], None]) -> list[float]:
    before = [cpu_seconds(pid) for pid in pair.pids]
    start = time.perf_counter()
    ticks = 0
    while time.perf_counter() - start < seconds:
        tick(ticks)
        ticks += 1
        time.sleep(max(0.0, start + ticks - time.perf_counter()))
    took = time.perf_counter() - start
    used = [cpu_seconds(pid) - was for pid, was in zip(pair.pids, before, strict=True)]
    return [cpu * 60 / took for cpu in used]


def _holds(path: Path, content: bytes) -> bool:
    try:
        return path.read_bytes() == content
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--many", type=int, default=200)
    parser.add_argument("--steady", type=float, default=30.0, help="seconds per steady case")
    parser.add_argument("--base", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("syncthing") is None:
        raise SystemExit("Syncthing is not installed: apt-get install syncthing")
    base = args.base or Path(tempfile.mkdtemp(prefix="devices-bench-"))
    staged = base / "staged"
    small_tree(staged, args.small)
    results = {}
    for start in (start_syncthing, start_ours):
        pair = start(base)
        try:
            results[pair.name] = measure(pair, staged, args.changes, args.many)
            steady(pair, args.steady, results[pair.name])
        finally:
            pair.stop()
    report(results, args.small, args.changes, args.many)
    shutil.rmtree(base, ignore_errors=True)


def report(results: dict[str, Result], small: int, changes: int, many: int) -> None:
    (anchor_name, anchor), (ours_name, ours) = sorted(
        results.items(), key=lambda kv: kv[0] != "Syncthing 1.19"
    )
    rows = [
        (f"initial sync, {small} small files (s)", anchor.initial, ours.initial),
        (f"{many} files changed at once (s)", anchor.many, ours.many),
        (f"one changed file, p50 of {changes} (s)", anchor.p50, ours.p50),
        (f"one changed file, p95 of {changes} (s)", anchor.p95, ours.p95),
        ("CPU s, first device", anchor.cpu[0], ours.cpu[0]),
        ("CPU s, second device", anchor.cpu[1], ours.cpu[1]),
        ("peak RSS MB, first device", anchor.rss[0], ours.rss[0]),
        ("peak RSS MB, second device", anchor.rss[1], ours.rss[1]),
        ("steady idle, CPU s/min, first device", anchor.idle[0], ours.idle[0]),
        ("steady idle, CPU s/min, second device", anchor.idle[1], ours.idle[1]),
        ("1 change/s, CPU s/min, first device", anchor.trickle[0], ours.trickle[0]),
        ("1 change/s, CPU s/min, second device", anchor.trickle[1], ours.trickle[1]),
    ]
    print(f"{'case':42} {anchor_name:>15} {ours_name:>12} {'ours/anchor':>12}")
    for label, theirs, mine in rows:
        print(f"{label:42} {theirs:15.2f} {mine:12.2f} {mine / theirs if theirs else 0:12.2f}")


if __name__ == "__main__":
    main()
