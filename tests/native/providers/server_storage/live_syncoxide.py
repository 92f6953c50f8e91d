"""A real syncoxide server on loopback with users and API tokens, for the storage provider."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PROJECT_ROOT, LiveServer, start_live_server

CLI = [sys.executable, "-m", "syncoxide.cli.main"]


@dataclass
class LiveAccounts:
    server: LiveServer
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url


def add_user_with_token(data_dir: Path, name: str) -> str:
    password = data_dir.parent / f"{name}.password"
    password.write_text("a long enough password\n")
    run = {"check": True, "capture_output": True, "text": True, "cwd": PROJECT_ROOT, "timeout": 60}
    subprocess.run(
        [*CLI, "user", "add", name, "--password-file", str(password), "--data-dir", str(data_dir)],
        **run,  # type: ignore[call-overload]
    )
    made = subprocess.run(
        [*CLI, "token", "create", "--user", name, "--data-dir", str(data_dir)],
        **run,  # type: ignore[call-overload]
    )
    return str(made.stdout.strip())


@contextmanager
def live_accounts(data_dir: Path, *names: str) -> Iterator[LiveAccounts]:
    """The server is started after the users exist and stopped (SIGINT) afterwards."""
    data_dir.mkdir(parents=True)
    tokens = {name: add_user_with_token(data_dir, name) for name in names}
    server = start_live_server(data_dir)
    try:
        yield LiveAccounts(server, tokens)
    finally:
        server.stop()
