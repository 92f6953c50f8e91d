"""Devices as real CLI processes on one machine, each with its own config folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_ROOT
from tests.native.p2p.p2p_processes import CliRun


@dataclass
class DeviceHome:
    """One device: a config folder, and the commands run as that device."""

    name: str
    config: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1", "SYNCOXIDE_CONFIG_DIR": str(self.config)}

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "syncoxide.cli.main", "devices", *args],
            cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def json(self, *args: str) -> dict[str, Any]:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer

    def start(self, *args: str, log: Path) -> CliRun:
        handle = log.open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "syncoxide.cli.main", "devices", *args],
            cwd=PROJECT_ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        handle.close()
        return CliRun(process, log)

    @cached_property
    def device_id(self) -> str:
        # Fixed by the key made on the device's first command; each read is a CLI process
        # (about 0.3 s of CPU), and tests ask for it in their wait loops, beside the daemons.
        return str(self.json("id")["device_id"])


def make_device(root: Path, name: str) -> DeviceHome:
    device = DeviceHome(name, root / name)
    assert device.run("rename", name).returncode == 0
    return device


def wait_for_code(run: CliRun, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"^Code: (\S+)$", run.output(), re.MULTILINE)
        if found:
            return found.group(1)
        if run.process.poll() is not None:
            break
        time.sleep(0.05)
    run.stop()
    raise AssertionError(f"no pairing code was printed:\n{run.output()}")


def pair(first: DeviceHome, second: DeviceHome, server: str, scratch: Path) -> None:
    """``devices pair`` on ``first``, the code typed into ``second`` with --yes; both exit 0."""
    offer = first.start(
        "pair", "--server", server, "--wait", "60", log=scratch / f"{first.name}.log"
    )
    try:
        code = wait_for_code(offer)
        joined = second.run("pair", code, "--server", server, "--yes", "--wait", "30")
        offered_rc, offered = offer.wait(60)
    finally:
        offer.stop()
    assert joined.returncode == 0, joined.stdout + joined.stderr
    assert offered_rc == 0, offered
