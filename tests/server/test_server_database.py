"""The server tests run on the database they were asked to (tests/server/databases.py): a
server built here and the CLI run on its data directory meet in the same database."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from tests.conftest import PROJECT_ROOT, run_cli
from tests.server.signin import PASSWORD, services, sign_in

pytestmark = pytest.mark.both_databases


def test_a_server_and_the_cli_on_one_data_directory_share_the_chosen_database(
    server_database: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    app = create_app(ServerConfig(data_dir=data, web_root=PROJECT_ROOT / "web"))
    assert (services(app).postgres is not None) == (server_database == "postgresql")
    (tmp_path / "password").write_text(PASSWORD + "\n")
    password = ("--password-file", tmp_path / "password")
    made = run_cli("user", "add", "pia", *password, "--data-dir", data)
    assert made.returncode == 0, made.stderr
    with TestClient(app) as client:
        sign_in(client, "pia")
        assert client.get("/api/v1/me").json()["user"]["name"] == "pia"
