"""Pure-Python wheels from PyPI, pinned in requirement files and cached between builds.

Used for the browser's own dependencies and for the wheels the Pyodide test run needs
(pytest and friends). Only exact pins (``name==version``) are accepted, so a build is
reproducible, and a wheel already in the cache is never downloaded again.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from syncoxide.errors import ConfigError

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)$")


def read_pins(requirement_file: Path) -> list[tuple[str, str]]:
    pins = []
    for raw in requirement_file.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line)
        if not match:
            raise ConfigError(
                f"{requirement_file}: '{line}' is not an exact pin.",
                hint="Write it as name==version so every build ships the same bytes.",
            )
        pins.append((match.group(1), match.group(2)))
    return pins


def _wheel_prefix(name: str, version: str) -> str:
    return f"{re.sub(r'[-.]+', '_', name).lower()}-{version}-"


def find_cached(cache: Path, name: str, version: str) -> Path | None:
    prefix = _wheel_prefix(name, version)
    for candidate in sorted(cache.glob("*.whl")):
        if candidate.name.lower().startswith(prefix) and candidate.name.endswith("-none-any.whl"):
            return candidate
    return None


def fetch_pinned_wheels(requirement_file: Path, cache: Path) -> list[Path]:
    """Return the pure wheels pinned in ``requirement_file``, downloading only what is missing."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = []
    for name, version in read_pins(requirement_file):
        cached = find_cached(cache, name, version) or _download(cache, name, version)
        wheels.append(cached)
    return wheels


def _download(cache: Path, name: str, version: str) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(cache),
        f"{name}=={version}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = find_cached(cache, name, version)
    if result.returncode != 0 or wheel is None:
        raise ConfigError(
            f"Could not download the pure-Python wheel {name}=={version}: "
            f"{result.stderr.strip()[-400:] or 'no py3-none-any wheel was found'}",
            hint="The browser can only load pure-Python wheels; check the pin and the network.",
        )
    return wheel
