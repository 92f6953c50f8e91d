"""Share and request links emailed to an address through a real SMTP server on loopback.

The messages are read back as the SMTP server received them: recipients, headers, the link.
Without ``[mail]`` the server says email is off (409) and sends nothing; a bad address, a link
of someone else, an encrypted share's link and a refused SMTP login are refused clearly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.errors import ConfigError
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.server.mail.smtp_world import SMTP_PASSWORD, SMTP_USER, Inbox, smtp_server
from tests.server.signin import add_user, sign_in

ROOT = Path(__file__).resolve().parents[3]


def _owner(data: Path, settings: str = "") -> TestClient:
    data.mkdir(exist_ok=True)
    if settings:
        (data / "settings.toml").write_text(settings)
    app = create_app(ServerConfig(data_dir=data, web_root=ROOT / "web"))
    add_user(app, "alice")
    client = TestClient(app)
    client.headers["X-CSRF-Token"] = sign_in(client, "alice")
    return client


@pytest.fixture()
def inbox() -> Iterator[Inbox]:
    with smtp_server() as running:
        yield running


def _share(client: TestClient, **body: object) -> str:
    made = client.post("/api/v1/shares", json={"title": "Holiday photos", **body})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_without_mail_settings_email_is_off_and_nothing_is_sent(
    tmp_path: Path, inbox: Inbox
) -> None:
    client = _owner(tmp_path / "data")
    share = _share(client)
    answer = client.post(f"/api/v1/shares/{share}/email", json={"to": "bo@example.org"})
    assert answer.status_code == 409
    assert answer.json()["error"] == "feature_off"
    assert "Email is off" in answer.json()["message"]
    assert inbox.received == []


def test_a_share_link_arrives_with_its_headers_and_link(tmp_path: Path, inbox: Inbox) -> None:
    client = _owner(tmp_path / "data", inbox.settings())
    share = _share(client, password="open sesame")
    sent = client.post(
        f"/api/v1/shares/{share}/email",
        json={"to": " bo@example.org ", "note": "From the trip, enjoy!"},
    )
    assert sent.status_code == 200, sent.text
    [message] = inbox.wait(1)
    assert inbox.received[0][0] == ["bo@example.org"]
    assert message["To"] == "bo@example.org"
    assert message["From"] == "files@example.org"
    assert message["Subject"] == "alice shared Holiday photos with you"
    assert message["Message-ID"] == sent.json()["message_id"]
    assert message["Message-ID"].endswith("@example.org>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    body = message.get_content()
    assert f"http://testserver/s/{share}" in body.splitlines()
    assert "From the trip, enjoy!" in body
    assert "protected by a password" in body
    assert "open sesame" not in body


def test_a_request_link_uses_the_configured_public_address(tmp_path: Path, inbox: Inbox) -> None:
    settings = inbox.settings(public_url="https://files.example.org/")
    client = _owner(tmp_path / "data", settings)
    made = client.post("/api/v1/requests", json={"title": "Tax papers"}).json()
    sent = client.post(f"/api/v1/requests/{made['id']}/email", json={"to": "acc@example.net"})
    assert sent.status_code == 200, sent.text
    [message] = inbox.wait(1)
    assert message["Subject"] == "alice asks you for files: Tax papers"
    assert f"https://files.example.org/r/{made['id']}" in message.get_content().splitlines()


@pytest.mark.parametrize(
    "address",
    ["bo@example.org\r\nBcc: eve@example.org", "bo@example.org, eve@example.org", "no-at-sign"],
)
def test_a_bad_address_is_refused_and_nothing_is_sent(
    tmp_path: Path, inbox: Inbox, address: str
) -> None:
    client = _owner(tmp_path / "data", inbox.settings())
    share = _share(client)
    answer = client.post(f"/api/v1/shares/{share}/email", json={"to": address})
    assert answer.status_code == 400, answer.text
    assert "not an email address" in answer.json()["message"]
    assert inbox.received == []


def test_only_the_owner_may_email_a_link_and_never_an_encrypted_one(
    tmp_path: Path, inbox: Inbox
) -> None:
    client = _owner(tmp_path / "data", inbox.settings())
    encrypted = _share(client, encrypted=True)
    refused = client.post(f"/api/v1/shares/{encrypted}/email", json={"to": "bo@example.org"})
    assert refused.status_code == 400
    assert "key" in refused.json()["message"]
    plain = _share(client)
    add_user(client.app, "bob")  # type: ignore[arg-type]
    bob = TestClient(client.app)
    bob.headers["X-CSRF-Token"] = sign_in(bob, "bob")
    stolen = bob.post(f"/api/v1/shares/{plain}/email", json={"to": "x@example.org"})
    assert stolen.status_code == 404
    assert inbox.received == []


def test_starttls_with_login_delivers_and_a_wrong_password_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server(tls_dir=tmp_path) as tls_inbox:
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "smtp-cert.pem"))
        good = tls_inbox.settings(security="starttls", user=SMTP_USER, password=SMTP_PASSWORD)
        client = _owner(tmp_path / "good", good)
        share = _share(client)
        sent = client.post(f"/api/v1/shares/{share}/email", json={"to": "bo@example.org"})
        assert sent.status_code == 200, sent.text
        assert tls_inbox.wait(1)[0]["To"] == "bo@example.org"
        bad = tls_inbox.settings(security="starttls", user=SMTP_USER, password="wrong")
        other = _owner(tmp_path / "bad", bad)
        share = _share(other)
        failed = other.post(f"/api/v1/shares/{share}/email", json={"to": "bo@example.org"})
        assert failed.status_code == 502
        assert failed.json()["error"] == "mail_failed"
        assert SMTP_PASSWORD not in failed.text and "wrong" not in failed.text
        assert len(tls_inbox.received) == 1


def test_mail_settings_without_a_from_address_stop_the_server_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text('[mail]\nhost = "smtp.example.org"\nport = "25"\n')
    with pytest.raises(ConfigError, match=r"\[mail\].*\(port\)"):
        ServerConfig(data_dir=data, web_root=ROOT / "web").mail()
