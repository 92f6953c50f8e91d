"""The WebCrypto backend gives the vectors' exact bytes (Pyodide + Node's WebCrypto)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from syncoxide.server.webbuild import ProjectPaths, build
from tests.conftest import WEB_BUILD_GROUP

ROOT = Path(__file__).resolve().parents[3]
RUNNER = Path(__file__).with_name("run_webcrypto_vectors.mjs")
HASH_WASM = ROOT / "node_modules" / "hash-wasm"

# It rebuilds the real web bundle: one worker at a time (see tests/conftest.py).
pytestmark = [pytest.mark.pyodide, pytest.mark.xdist_group(WEB_BUILD_GROUP)]


def test_webcrypto_backend_matches_the_vectors() -> None:
    node = shutil.which("node")
    assert node, "Node is needed to run Pyodide outside the browser"
    paths = ProjectPaths(ROOT)
    manifest = build(paths)
    vendor = paths.vendor / manifest["pyodide"]["path"]
    assert HASH_WASM.is_dir(), "hash-wasm is a pinned npm dependency: run npm ci"
    command = [node, str(RUNNER), str(vendor), str(ROOT), str(HASH_WASM)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "webcrypto files: 4, names: 5" in output, output
    assert "argon2: checked" in output, output
    assert "sealed to a key: 2" in output, output
