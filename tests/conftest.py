"""Fixtures shared by the CPython test layers: a live server and Debian's Chromium."""

from __future__ import annotations

import ctypes
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2
import pytest

# The in-process tests hash passwords at Argon2's cheapest cost too (cheap_passwords() below
# says why), so this is set before the server's hasher is made, at its module's first import.
# Only under pytest: the benchmarks import these helpers and keep the full cost.
if os.environ.get("PYTEST_VERSION"):
    os.environ.setdefault("SYNCOXIDE_PASSWORD_HASHING", "cheapest-for-tests")

from syncoxide.server.accounts.passwords import CHEAPEST_FOR_TESTS
from syncoxide.server.accounts.passwords import VARIABLE as PASSWORD_HASHING

if TYPE_CHECKING:  # Playwright is imported by the browser layers only
    from playwright.sync_api import Browser, Playwright

pytest_plugins = ("tests.servers", "tests.scheduling")  # shared servers; longest groups first

# A test run started in the background of a non-interactive shell (`./dev test &`, nohup, some CI
# runners) inherits SIGINT ignored, and the CLI and server processes the tests start would
# inherit that too: Ctrl-C (SIGINT) would then do nothing to them. The tests stand in for a user
# at a terminal, so their children get the default Ctrl-C.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# As the server does (syncoxide/server/grpc/__init__.py): test workers that ran a gRPC test
# still hold its threads, and a server they start later (forked, for its death signal) must
# not abort in gRPC's fork handlers before it execs.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

# Every test belongs to exactly one layer (the markers are declared in pyproject.toml):
#   unit     in this process only: `./dev check` runs these, in parallel, in about a minute
#   live     starts real servers, services or programs (syncoxide serve, rclone, sshd, gpg, ...)
#   pyodide  the core's tests inside Pyodide under Node
#   e2e      Chromium against a live server
# A folder gives its tests their layer; a test that asks for one of the server fixtures below is
# live wherever it sits; a module or test that starts something itself says so with
# ``pytest.mark.live``. Anything left over is a unit test.
LAYERS = ("unit", "live", "pyodide", "e2e")
FOLDER_LAYERS = {
    "e2e": "e2e",
    "pyodide": "pyodide",
    # Each backend's suite runs against its real server (rclone, moto, sshd, wsgidav, syncoxide
    # serve) or its FAKE API on a loopback port, some picked by parameter at run time.
    "native/providers/s3": "live",
    "native/providers/sftp": "live",
    "native/providers/webdav": "live",
    "native/providers/server_storage": "live",
    "native/providers_cloud": "live",
    # Real borg (and sshd) runs.
    "native/backup": "live",
    "cli/backup": "live",
    "server/backups": "live",
    # Throwaway PostgreSQL, Redis, HAProxy and several `syncoxide serve` (scale-out).
    "server/scale": "live",
    # Real child processes, LibreOffice and ffmpeg.
    "native/actions": "live",
    "cli/automation": "live",
    "server/automation": "live",
}
LIVE_FIXTURES = frozenset(
    {
        "live_server",
        "rclone_s3",
        "moto_s3",
        "wsgidav_server",
        "sshd_server",
        "fake_drive_server",
        "fake_dropbox_server",
        "gnupg",
    }
)
# Tests that rebuild the real web/static/vendor folder run one after another on one worker.
WEB_BUILD_GROUP = "web-build"
CHROMIUM = "/usr/bin/chromium"
# Quiet, offline Chromium: no background calls home, plain host ICE candidates for WebRTC.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]

# "Target crashed" is all Playwright says when a renderer dies; Chromium's own log says why
# (out of memory, a failed CHECK, a signal), so every process's log is kept per browser.
CHROMIUM_LOGS: dict[int, Path] = {}
_LOG_NOISE = ("dbus", "D-Bus", "cpufreq", "Fontconfig")


def launch_chromium(playwright: Playwright, args: list[str], log_dir: Path) -> Browser:
    """Debian's Chromium with the log of every process it starts (renderers' too) appended
    to ``log_dir/chromium.log``: a shell wrapper sends its stderr there, as Playwright keeps
    no copy of it."""
    log = log_dir / "chromium.log"
    wrapper = log_dir / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec {CHROMIUM} "$@" 2>>{shlex.quote(str(log))}\n')
    wrapper.chmod(0o755)
    browser = playwright.chromium.launch(
        executable_path=str(wrapper), args=[*args, "--enable-logging=stderr"]
    )
    CHROMIUM_LOGS[id(browser)] = log
    return browser


def chromium_log_tail(browser: Browser, lines: int = 30) -> str:
    """The last lines of a browser's log that are not start-up noise (no D-Bus here)."""
    log = CHROMIUM_LOGS.get(id(browser))
    if log is None or not log.exists():
        return "(no log kept for this browser)"
    kept = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if not any(noise in line for noise in _LOG_NOISE)
    ]
    return "\n".join(kept[-lines:]) or "(the log holds nothing but start-up noise)"


#: More environment for a program run on a data directory: tests/server/conftest.py names the
#: directory's PostgreSQL database here when the server tests run on PostgreSQL.
DATA_DIR_ENV: list[Callable[[Path], dict[str, str]]] = [lambda _data_dir: {}]


def data_dir_env(data_dir: Path) -> dict[str, str]:
    return {**DATA_DIR_ENV[0](data_dir), **cheap_passwords()}


def cheap_passwords() -> dict[str, str]:
    """Argon2 at its cheapest in the servers and CLI processes a test starts: the default costs
    0.3 s of CPU or more per password hashed or checked (a schema fuzz run spent most of its
    server time there) and the tests check what a password allows, not what it costs. The
    in-process tests hash cheaply as well (set above): each user they sign in cost a hash and a
    check, four server modules took 42 s of CPU against 9.5 s cheap. The default hasher is
    checked by tests/server/accounts/test_password_hashing.py, which names it. Benchmarks
    (outside pytest) keep the full cost."""
    return {PASSWORD_HASHING: CHEAPEST_FOR_TESTS} if RUNNING_LAYER[0] else {}


def cli_env(*args: str | Path) -> dict[str, str]:
    """The environment for ``syncoxide ARGS...``: this one, and its ``--data-dir``'s extra."""
    words = list(map(str, args))
    if "--data-dir" not in words[:-1]:
        return {**os.environ, **cheap_passwords()}
    return {**os.environ, **data_dir_env(Path(words[words.index("--data-dir") + 1]))}


_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: a forked child must not load libraries
_PR_SET_PDEATHSIG = 1


def _die_with_this_process() -> None:
    """Runs in the forked server before exec: a test run killed with SIGKILL takes the server
    with it instead of leaving it on its port."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _death_signal() -> Callable[[], None] | None:
    # The kernel sends the signal when the *thread* that started the child ends: only the main
    # thread lives as long as the test process.
    return _die_with_this_process if threading.current_thread() is threading.main_thread() else None


def run_cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``syncoxide ARGS...`` as a user runs it, in a fresh process; never raises on failure."""
    return subprocess.run(
        [sys.executable, "-m", "syncoxide.cli.main", *map(str, args)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=cli_env(*args),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[str]
    data_dir: Path

    def stop(self) -> tuple[int, str]:
        """Ctrl-C the server (SIGINT) and return its exit code and output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            output, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return self.process.returncode, output


def start_live_server(
    data_dir: Path,
    port: int | None = None,
    env: dict[str, str] | None = None,
    *,
    options: tuple[str, ...] = (),
    plain_uvicorn: bool = False,
) -> LiveServer:
    """A real ``syncoxide serve``; pass the port of a stopped one to restart it in its place.
    ``env`` adds or overrides environment variables of the server process; ``options`` are
    more ``serve`` options (``--grpc-port N``). ``plain_uvicorn``: the app under uvicorn's own
    command line with its defaults, as an operator may run it."""
    refuse_in_unit_layer("a real server")
    port = port or free_port()
    if plain_uvicorn:
        command = ["-m", "uvicorn", "--factory", "syncoxide.server.asgi:create"]
        command += ["--port", str(port), "--log-level", "warning"]
        env = {"SYNCOXIDE_DATA_DIR": str(data_dir), **(env or {})}
    else:
        command = ["-m", "syncoxide.cli.main", "serve", "--port", str(port)]
        command += ["--data-dir", str(data_dir), *options]
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=PROJECT_ROOT,
        preexec_fn=_death_signal(),  # only prctl runs between fork and exec
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its users' connections may reach the loopback test servers (S3, WebDAV, ...).
        env={
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "SYNCOXIDE_CONNECTIONS_ALLOW": "127.0.0.1",
            **data_dir_env(data_dir),
            **(env or {}),
        },
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, data_dir)
    deadline = time.monotonic() + 90  # a loaded machine can take tens of seconds to start it
    # One client for every knock: each new one loads the CA bundle (0.1 s of CPU measured),
    # which the ten or more knocks of a start took from the server starting beside them.
    with httpx2.Client(timeout=1) as probe:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                if probe.get(f"{server.url}/healthz").status_code == 200:
                    return server
            except httpx2.TransportError:
                time.sleep(0.1)
    code, output = server.stop()
    raise RuntimeError(f"syncoxide serve did not come up (exit {code}):\n{output}")


def account_token(server: LiveServer, name: str, scratch: Path) -> str:
    """A user on ``server`` made with the CLI, and an API token for it."""
    return data_dir_token(server.data_dir, name, scratch)


def data_dir_token(data_dir: Path, name: str, scratch: Path) -> str:
    """A user made with the CLI in the deployment of ``data_dir`` (its database: SQLite, or
    PostgreSQL when the suite runs on it), and an API token for it."""
    password = scratch / f"{name}-password"
    password.write_text(f"{name} password\n")
    data = ("--data-dir", str(data_dir))
    # Both commands in one CLI process: a test that needs an account needs the two, and each
    # process start (the server's modules imported again) cost about a second of a loaded run.
    both = [["user", "add", name, "--password-file", str(password), *data]]
    both.append(["token", "create", "--user", name, *data])
    made = subprocess.run(
        [sys.executable, "-c", _ACCOUNT_AND_TOKEN, json.dumps(both)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=cli_env(*data),
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


# `syncoxide user add` then `syncoxide token create`: the first one's output goes to stderr, so
# stdout holds the token alone; the first failure ends the process with its exit code.
_ACCOUNT_AND_TOKEN = """
import contextlib, json, sys
from syncoxide.cli.main import main
first, second = json.loads(sys.argv[1])
with contextlib.redirect_stdout(sys.stderr):
    code = main(first)
sys.exit(code or main(second))
"""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live-data"))
    yield server
    server.stop()


class GnuPG:
    def __init__(self, home: Path) -> None:
        self.env = {**os.environ, "GNUPGHOME": str(home)}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["gpg", "--batch", *args], env=self.env, capture_output=True, check=check
        )

    def new_key(self, email: str, folder: Path) -> Path:
        self.run(
            "--passphrase",
            "",
            "--quick-gen-key",
            f"Test <{email}>",
            "future-default",
            "default",
            "never",
        )
        exported = folder / f"{email}.asc"
        exported.write_bytes(self.run("--export", "--armor", email).stdout)
        return exported

    def new_expired_key(self, email: str) -> None:
        """A key made on 2020-01-01 that expired a day later (gpg's clock, faked)."""
        self.run(
            "--faked-system-time",
            "20200101T000000",
            "--passphrase",
            "",
            "--quick-gen-key",
            f"Old <{email}>",
            "future-default",
            "default",
            "1d",
        )


@pytest.fixture
def gnupg() -> Iterator[GnuPG]:
    # A short path: gpg-agent's socket lives in the home and socket paths max out near 100.
    home = Path(tempfile.mkdtemp(prefix="sxgpg-", dir="/tmp"))
    home.chmod(0o700)
    yield GnuPG(home)
    # Stops only the agent serving this home (addressed through its socket), nothing else.
    subprocess.run(
        ["gpgconf", "--kill", "gpg-agent"],
        env={**os.environ, "GNUPGHOME": str(home)},
        check=False,
        capture_output=True,
    )
    shutil.rmtree(home, ignore_errors=True)


def _layer_of(item: pytest.Item) -> str:
    declared = [name for name in LAYERS if item.get_closest_marker(name) is not None]
    if len(declared) > 1:
        raise pytest.UsageError(f"{item.nodeid} is marked with two layers: {declared}")
    if declared:
        return declared[0]
    folder = Path(item.path).parent.relative_to(PROJECT_ROOT / "tests").as_posix()
    for prefix, layer in FOLDER_LAYERS.items():
        if folder == prefix or folder.startswith(prefix + "/"):
            return layer
    if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "live"
    return "unit"


# A test whose page's renderer died ("Target crashed": Chromium's own process, seen about once
# in five full e2e runs on a loaded two-core machine, in different tests, with 17 GiB or more
# free) runs once more, in new pages of the same browser (pytest-rerunfailures). Nothing else is
# rerun: a test that fails for any other reason, or crashes twice, fails. Each crash is still
# reported at the end of the run with the machine's state and Chromium's log (below).
CHROMIUM_CRASH_RERUN = pytest.mark.flaky(reruns=1, only_rerun=["Target crashed", "Page crashed"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say every renderer crash a rerun passed over, with what was kept when it happened."""
    for report in terminalreporter.stats.get("rerun", []):
        kept = [
            f"{title}:\n{text}"
            for title, text in report.sections
            if "crashed" in title or "Chromium" in title
        ]
        if kept:
            terminalreporter.write_sep("-", f"renderer crash, test run again: {report.nodeid}")
            terminalreporter.write_line("\n".join(kept))


#: The layer of the test being run (set before its fixtures), so helpers can refuse to start a
#: real server inside a unit test: `./dev check` runs the unit layer and must stay fast. Empty
#: outside pytest: the benchmarks start servers through these helpers too.
RUNNING_LAYER = [""]


def pytest_runtest_setup(item: pytest.Item) -> None:
    RUNNING_LAYER[0] = _layer_of(item)


def refuse_in_unit_layer(what: str) -> None:
    if RUNNING_LAYER[0] == "unit":
        pytest.fail(
            f"this unit test starts {what}; mark its module `pytestmark = pytest.mark.live`",
            pytrace=False,
        )


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = _layer_of(item)
        item.add_marker(layer)
        if layer == "e2e":
            item.add_marker(CHROMIUM_CRASH_RERUN)
        # Under `--dist loadgroup` a module's tests stay on one worker, so module- and
        # session-scoped servers start once per worker rather than once per test.
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(str(Path(item.path).relative_to(PROJECT_ROOT))))
