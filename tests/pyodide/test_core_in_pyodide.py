"""The core's tests, run again inside Pyodide (Python 3.14 compiled to WebAssembly) under Node.

Same files as the CPython run of ``tests/core``, same wheel the browser loads: if the core
imported something Pyodide lacks (threads, sockets, a C extension), this fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from syncoxide.server.webbuild import ProjectPaths, build
from syncoxide.server.webbuild.wheels import fetch_pinned_wheels
from tests.conftest import WEB_BUILD_GROUP

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_core_tests.mjs")

# It rebuilds the real web bundle: one worker at a time (see tests/conftest.py).
pytestmark = [pytest.mark.pyodide, pytest.mark.xdist_group(WEB_BUILD_GROUP)]


def count_core_tests_on_cpython() -> int:
    result = subprocess.run(
        ["python", "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/core"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": str(ROOT / ".venv" / "bin") + ":/usr/bin:/bin"},
    )
    match = re.search(r"(\d+) tests? collected", result.stdout)
    assert match, result.stdout + result.stderr
    return int(match.group(1))


def test_core_suite_passes_inside_pyodide() -> None:
    node = shutil.which("node")
    assert node, "Node is needed to run Pyodide outside the browser"
    paths = ProjectPaths(ROOT)
    manifest = build(paths)
    wheels = fetch_pinned_wheels(Path(__file__).with_name("requirements.txt"), paths.wheel_cache)
    vendor = paths.vendor / manifest["pyodide"]["path"]
    pytest_args = [
        "/project/tests/core",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir=/project/tests/core",
        "--confcutdir=/project/tests/core",
    ]
    result = subprocess.run(
        [
            node,
            str(RUNNER),
            str(vendor),
            str(ROOT / "tests"),
            *map(str, wheels),
            "--",
            *pytest_args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "runtime: emscripten, Python 3.14" in output, output
    passed = re.search(r"(\d+) passed", output)
    assert passed, output
    # Two tests skip there: one reads module source, one a module docstring, and the browser
    # wheels ship bytecode only, without docstrings.
    skipped = re.search(r"(\d+) skipped", output)
    ran = int(passed.group(1)) + (int(skipped.group(1)) if skipped else 0)
    assert ran == count_core_tests_on_cpython(), output
    assert not skipped or int(skipped.group(1)) <= 2, output
