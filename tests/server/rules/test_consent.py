"""Connecting Dropbox and Google Drive through their consent screens (FAKE servers).

The fakes' ``authorize`` endpoints stand in for the consent screen and answer at once for a
fake user; the rest is the real flow: state, PKCE, the callback, the code exchange, and the
connection checked and sealed like one added with keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.fakes.fake_dropbox import FakeDropbox
from tests.fakes.fake_gdrive import FakeDrive
from tests.fakes.fake_oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.fakes.serving import served
from tests.server.rules.rules_world import rules_client
from tests.server.signin import add_user, sign_in

pytestmark = pytest.mark.live


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    with rules_client(tmp_path / "data") as signed_in:
        yield signed_in


@pytest.fixture()
def dropbox() -> Iterator[tuple[FakeDropbox, str]]:
    fake = FakeDropbox()
    with served(fake.faults) as url:
        yield fake, url


def _dropbox_options(url: str) -> dict[str, str]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "auth_url": f"{url}/oauth2/authorize",
        "token_url": f"{url}/oauth2/token",
        "api_url": url,
        "content_url": url,
    }


def _consent(client: TestClient, name: str, kind: str, options: dict[str, str]) -> str:
    """Start a consent, pass the (fake) consent screen; the callback's path and query."""
    started = client.post(
        "/api/v1/connections/consent", json={"name": name, "kind": kind, "options": options}
    )
    assert started.status_code == 200, started.text
    screen = httpx2.get(started.json()["authorize_url"], follow_redirects=False, timeout=10)
    assert screen.status_code == 302, screen.text
    back = urlsplit(screen.headers["location"])
    assert back.path == "/connections/consent/callback"
    return f"{back.path}?{back.query}"


def _outcome(answer: httpx2.Response) -> dict[str, list[str]]:
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["location"])
    assert location.path == "/" and location.fragment == "/files"
    return parse_qs(location.query)


def test_dropbox_connects_through_consent(
    client: TestClient, dropbox: tuple[FakeDropbox, str]
) -> None:
    _, url = dropbox
    callback = _consent(client, "my dropbox", "dropbox", _dropbox_options(url))
    assert _outcome(client.get(callback, follow_redirects=False)) == {"connected": ["my dropbox"]}
    made = client.get("/api/v1/connections").json()["connections"]
    assert [(c["name"], c["state"], c["secrets"]) for c in made] == [
        ("my dropbox", "ok", ["client_secret", "refresh_token"])
    ]
    connection = client.app.state.rules.store  # type: ignore[attr-defined]
    row = connection._db.execute("SELECT options, secrets FROM connections").one()
    assert REFRESH_TOKEN not in str(row) and "auth_url" not in row[0]
    again = client.get(callback, follow_redirects=False)  # a code and state work once
    assert "unknown, used or expired" in _outcome(again)["consent_error"][0]


def test_google_drive_connects_through_consent(client: TestClient) -> None:
    fake = FakeDrive()
    with served(fake.faults) as url:
        options = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "auth_url": f"{url}/authorize",
            "token_url": f"{url}/token",
            "api_url": url,
        }
        callback = _consent(client, "drive", "gdrive", options)
        assert (
            "access_type=offline"
            in client.post(
                "/api/v1/connections/consent",
                json={"name": "drive2", "kind": "gdrive", "options": options},
            ).json()["authorize_url"]
        )
        answer = client.get(callback, follow_redirects=False)
    assert _outcome(answer) == {"connected": ["drive"]}


def test_refused_or_foreign_consent_connects_nothing(
    client: TestClient, dropbox: tuple[FakeDropbox, str], tmp_path: Path
) -> None:
    fake, url = dropbox
    fake.tokens.consent = False
    denied = client.get(
        _consent(client, "box", "dropbox", _dropbox_options(url)), follow_redirects=False
    )
    assert "did not give access (access_denied)" in _outcome(denied)["consent_error"][0]

    fake.tokens.consent = True
    callback = _consent(client, "box", "dropbox", _dropbox_options(url))
    add_user(client.app, "mallory")  # type: ignore[arg-type]
    mallory = TestClient(client.app)
    sign_in(mallory, "mallory")
    stolen = mallory.get(callback, follow_redirects=False)
    assert "unknown, used or expired" in _outcome(stolen)["consent_error"][0]
    stranger = TestClient(client.app).get(callback, follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
    assert client.get("/api/v1/connections").json() == {"connections": []}

    keys_only = client.post(
        "/api/v1/connections/consent", json={"name": "x", "kind": "s3", "options": {}}
    )
    assert keys_only.status_code == 400
    no_client = client.post(
        "/api/v1/connections/consent", json={"name": "x", "kind": "dropbox", "options": {}}
    )
    assert no_client.status_code == 400 and "needs client_id" in no_client.json()["message"]
