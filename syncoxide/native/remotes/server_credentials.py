"""Which server and API token a command uses, and what ``syncoxide login`` saved.

Given ones win, then ``SYNCOXIDE_SERVER`` / ``SYNCOXIDE_TOKEN``, then
``<config dir>/credentials.json`` (mode 0600; ``SYNCOXIDE_CONFIG_DIR`` moves the folder).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from syncoxide.errors import UsageError
from syncoxide.native.atomic_file import replace_file


def credentials_path() -> Path:
    base = os.environ.get("SYNCOXIDE_CONFIG_DIR") or platformdirs.user_config_dir("syncoxide")
    return Path(base) / "credentials.json"


def _saved() -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(credentials_path().read_text())
    except (OSError, ValueError):
        return {"default": None, "servers": {}}
    return loaded


def save_token(server: str, token: str) -> Path:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    saved = _saved()
    saved["default"] = server
    saved.setdefault("servers", {})[server] = token
    replace_file(path, json.dumps(saved, indent=2).encode())
    return path


def server_and_token(server: str | None, token: str | None) -> tuple[str, str]:
    """The server and token given, else from the environment, else what login saved."""
    saved = _saved()
    server = server or os.environ.get("SYNCOXIDE_SERVER") or saved.get("default")
    if not server:
        raise UsageError("No server given.", hint="Pass --server URL or run `syncoxide login`.")
    server = check_server_url(server)
    token = token or os.environ.get("SYNCOXIDE_TOKEN") or saved["servers"].get(server)
    if not token:
        raise UsageError(
            f"No token for {server}.", hint="Pass --token, or run `syncoxide login --server`."
        )
    return server, token


def check_server_url(server: str) -> str:
    parts = urlsplit(server)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise UsageError(
            f"{server!r} is not a server address.",
            hint="Give it like http://127.0.0.1:8000 or https://files.example.org.",
        )
    return server.rstrip("/")
