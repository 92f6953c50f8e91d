"""A live server of a test module's own, with one user made by the CLI as an operator would."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import PROJECT_ROOT, LiveServer, start_live_server


@contextlib.contextmanager
def server_with_user(
    data: Path, user: str, password: str, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """Adds ``user`` to a new data directory, serves it, and on the way out checks the
    server logged no traceback."""
    password_file = data.parent / "password"
    password_file.write_text(password + "\n")
    add = [sys.executable, "-m", "syncoxide.cli.main", "user", "add", user]
    subprocess.run([*add, "--password-file", str(password_file), "--data-dir", str(data)],
                   check=True, cwd=PROJECT_ROOT, capture_output=True, timeout=60)  # fmt: skip
    live = start_live_server(data, env=env)
    yield live
    _code, output = live.stop()
    assert "Traceback" not in output, output[-4000:]
