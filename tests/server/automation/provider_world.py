"""The app for an automation test (its accounts reach connections on loopback), a WebDAV
server of the test's own (wsgidav, a real server) that can be restarted with another password
on the same port and folder, connections to it and to the shared sshd, and helpers to wait for
automation jobs."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.native.providers.server_processes import free_port, require_binary, running
from tests.server.accountshares.shares_world import Person, World, shares_world
from tests.servers import SshServer

DAV_USER = "photos"


@contextlib.contextmanager
def automation_world(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    names: tuple[str, ...] = ("alice",),
    **automation: float,
) -> Iterator[World]:
    """The app with these ``[automation]`` settings (``poll_seconds=0.5``...) and an account
    per name; its connections may reach loopback, where the tests' own servers listen."""
    settings = "[automation]\n" + "".join(f"{key} = {value}\n" for key, value in automation.items())
    monkeypatch.setenv("SYNCOXIDE_CONNECTIONS_ALLOW", "127.0.0.0/8, localhost")
    with shares_world(tmp_path / "data", settings, names=names) as made:
        yield made


@dataclass
class OwnDav:
    """wsgidav serving ``root`` at ``url`` for one user whose password ``restart`` changes."""

    base: Path
    root: Path
    port: int
    password: str
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dav"

    def start(self) -> None:
        wsgidav = require_binary("wsgidav", "pip install wsgidav==4.4.0 cheroot==11.1.2")
        config = {
            "host": "127.0.0.1",
            "port": self.port,
            "server": "cheroot",
            "provider_mapping": {"/dav": str(self.root)},
            "simple_dc": {"user_mapping": {"*": {DAV_USER: {"password": self.password}}}},
            "http_authenticator": {"accept_basic": True, "accept_digest": False,
                                   "default_to_digest": False},
            "property_manager": True,
            "honor_mtime_header": True,
        }  # fmt: skip
        (self.base / "wsgidav.json").write_text(json.dumps(config))
        command = [wsgidav, "--config", str(self.base / "wsgidav.json")]
        self._stack.enter_context(running(command, self.port, self.base / "wsgidav.log"))

    def restart(self, password: str) -> None:
        self._stack.close()
        self.password = password
        self.start()

    def stop(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def own_dav(base: Path, password: str = "first-password") -> Iterator[OwnDav]:
    root = base / "share"
    root.mkdir(parents=True)
    dav = OwnDav(base, root, free_port(), password)
    dav.start()
    try:
        yield dav
    finally:
        dav.stop()


def connect(person: Person, name: str, dav: OwnDav) -> dict[str, Any]:
    options = {"url": dav.url, "username": DAV_USER, "password": dav.password}
    made = person.post("/api/v1/connections", json={"name": name, "kind": "webdav",
                                                   "options": options})  # fmt: skip
    assert made.status_code == 201, made.text
    return dict(made.json())


def connect_sftp(person: Person, name: str, sshd: SshServer) -> dict[str, Any]:
    options = {"host": "127.0.0.1", "port": str(sshd.port), "username": sshd.username,
               "root": "/", "known_hosts_data": sshd.known_hosts.read_text(),
               "private_key_data": sshd.client_key.read_text()}  # fmt: skip
    made = person.post("/api/v1/connections", json={"name": name, "kind": "sftp",
                                                    "options": options})  # fmt: skip
    assert made.status_code == 201, made.text
    return dict(made.json())


def jpeg(size: tuple[int, int], colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=95)
    return out.getvalue()


def wait_for(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def finished_jobs(person: Person, count: int = 1) -> list[dict[str, Any]]:
    def finished() -> Any:
        jobs = person.get("/api/v1/jobs").json()["jobs"]
        done = [j for j in jobs if j["status"] in ("done", "dead")]
        return jobs if len(done) >= count else None

    return list(wait_for(finished))


def add_rule(person: Person, **rule: Any) -> dict[str, Any]:
    made = person.post("/api/v1/automation/rules", json=rule)
    assert made.status_code == 201, made.text
    return dict(made.json())


def first_look(rules: Any, rule_id: int) -> bool:
    """Whether the poll took its first look at the rule's folder (files from then on are
    arrivals), from a ``GET /automation/rules`` answer."""
    return any(r["id"] == rule_id and r["watching_since"] for r in rules["rules"])


def wait_first_look(person: Person, rule_id: int) -> None:
    wait_for(lambda: first_look(person.get("/api/v1/automation/rules").json(), rule_id), 30)
