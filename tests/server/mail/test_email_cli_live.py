"""``syncoxide share --email`` and ``request create --email`` against a real server whose
``[mail]`` points at an SMTP server on loopback: the link is printed and arrives by mail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, account_token, run_cli, start_live_server
from tests.server.mail.smtp_world import Inbox, smtp_server

pytestmark = pytest.mark.live  # starts real servers


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Inbox]]:
    folder = tmp_path_factory.mktemp("mail-live")
    with smtp_server() as inbox:
        settings = folder / "settings.toml"
        settings.write_text(inbox.settings())
        server = start_live_server(folder / "data", env={"SYNCOXIDE_SETTINGS": str(settings)})
        try:
            yield server, inbox
        finally:
            server.stop()


def test_the_cli_has_the_server_email_a_share_and_a_request_link(
    mailing: tuple[LiveServer, Inbox], tmp_path: Path
) -> None:
    server, inbox = mailing
    login = ("--server", server.url, "--token", account_token(server, "mailcli", tmp_path))
    (tmp_path / "notes.txt").write_text("hello")
    shared = run_cli("share", tmp_path / "notes.txt", "--email", "bo@example.org", *login)
    assert shared.returncode == 0, shared.stderr
    link = shared.stdout.strip().splitlines()[-1]
    assert "emailed the link to bo@example.org" in shared.stderr
    asked = run_cli("request", "create", "--title", "Scans", "--email", "cy@example.org", *login)
    assert asked.returncode == 0, asked.stderr
    share_mail, request_mail = inbox.wait(2)
    assert share_mail["To"] == "bo@example.org"
    assert link in share_mail.get_content().splitlines()
    assert request_mail["Subject"] == "mailcli asks you for files: Scans"
    assert asked.stdout.strip().splitlines()[-1] in request_mail.get_content().splitlines()


def test_an_encrypted_share_is_never_emailed_and_nothing_is_uploaded(
    mailing: tuple[LiveServer, Inbox], tmp_path: Path
) -> None:
    server, inbox = mailing
    before = len(inbox.received)
    login = ("--server", server.url, "--token", account_token(server, "mailenc", tmp_path))
    (tmp_path / "secret.txt").write_text("secret")
    refused = run_cli(
        "share", tmp_path / "secret.txt", "--encrypt", "--email", "bo@example.org", *login
    )
    assert refused.returncode == 2
    assert "cannot email an end-to-end encrypted share" in refused.stderr
    assert len(inbox.received) == before
