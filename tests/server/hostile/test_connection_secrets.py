"""Finding 3: saved connection secrets are never sent to a host they were not given for.

The attack on the old server: with a stolen API token, ``PUT /api/v1/connections/{id}`` with a
new WebDAV ``url`` (or S3 ``endpoint``, SFTP ``host``, ``token_url``) made the server check the
connection against the attacker's host, sending the saved password along.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from syncoxide.errors import UsageError
from syncoxide.server.rules.connections import secrets_for_update
from syncoxide.server.rules.store import Connection
from tests.server.rules.rules_world import connect, rules_client
from tests.servers import DAV_PASSWORD, DAV_USER, WebDavServer


class Recorder(BaseHTTPRequestHandler):
    """A stranger's host: answers 401 to everything and writes down what it was sent."""

    seen: ClassVar[list[str]] = []

    def _refuse(self) -> None:
        Recorder.seen.append(self.headers.get("Authorization", ""))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="x"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PROPFIND = do_OPTIONS = do_HEAD = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stranger_host() -> Iterator[str]:
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/dav"
    server.shutdown()
    server.server_close()


def test_a_new_webdav_url_needs_the_password_again(
    tmp_path: Path, loopback_allowed: None, wsgidav_server: WebDavServer, stranger_host: str
) -> None:
    with rules_client(tmp_path / "data") as client:
        made = connect(
            client,
            "dav",
            "webdav",
            url=wsgidav_server.url,
            username=DAV_USER,
            password=DAV_PASSWORD,
        )
        moved = client.put(
            f"/api/v1/connections/{made['id']}", json={"options": {"url": stranger_host}}
        )
        assert moved.status_code == 400, moved.text
        assert "password" in moved.json()["message"]
        leaked = base64.b64encode(f"{DAV_USER}:{DAV_PASSWORD}".encode()).decode()
        assert not any(leaked in header for header in Recorder.seen)
        kept = client.get("/api/v1/connections").json()["connections"][0]
        assert kept["options"]["url"] == wsgidav_server.url  # nothing was changed
        # Given again, the new password goes where the user sends it.
        again = client.put(
            f"/api/v1/connections/{made['id']}",
            json={"options": {"url": stranger_host, "password": "typed anew"}},
        )
        assert again.status_code in (400, 422, 502), again.text
        assert not any(leaked in header for header in Recorder.seen)
        tuned = client.put(f"/api/v1/connections/{made['id']}", json={"options": {}})
        assert tuned.status_code == 200, tuned.text


@pytest.mark.parametrize(
    ("kind", "option", "secrets"),
    [
        ("s3", "endpoint", {"secret_access_key": "sealed"}),
        ("sftp", "host", {"password": "sealed"}),
        ("sftp", "port", {"password": "sealed"}),
        ("gdrive", "token_url", {"client_secret": "sealed", "refresh_token": "sealed"}),
        ("dropbox", "token_url", {"client_secret": "sealed", "refresh_token": "sealed"}),
        ("dropbox", "api_url", {"refresh_token": "sealed"}),
    ],
)
def test_every_kind_drops_saved_secrets_when_it_is_pointed_elsewhere(
    kind: str, option: str, secrets: dict[str, str]
) -> None:
    connection = Connection(1, 1, "c", kind, {option: "https://a.example"}, secrets, "ok", "", 0, 0)
    saved = {option: "https://a.example", **dict.fromkeys(secrets, "clear")}
    with pytest.raises(UsageError, match="again"):
        secrets_for_update(connection, saved, {option: "https://evil.example"})
    given = {option: "https://evil.example", **dict.fromkeys(secrets, "new")}
    assert secrets_for_update(connection, saved, given) == {option: "https://a.example"}
    assert secrets_for_update(connection, saved, {option: "https://a.example"}) == saved
