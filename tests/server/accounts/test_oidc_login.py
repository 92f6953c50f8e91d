"""The whole OIDC authorization-code flow against a real provider (oidc-provider-mock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from oidc_provider_mock import run_server_in_thread
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.accounts.oidc import LOGIN_TTL_SECONDS, load_providers
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.services import embedded_services
from tests.server.databases import database_of

ROOT = Path(__file__).resolve().parents[3]
# The mock provider calls an authlib API that authlib deprecates; our client code does not.
# The issuer is a real OpenID provider on a loopback port: these tests are live.
pytestmark = [
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]


class FakeClock:
    now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def config(tmp_path: Path, issuer: str) -> ServerConfig:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    config.data_dir.mkdir()
    config.settings_path.write_text(
        f'[oidc.mock]\nlabel = "Mock ID"\nissuer = "{issuer}"\nclient_id = "syncoxide-test"\n'
        'client_secret = "test-secret"\nallow_new_users = true\n'
    )
    return config


@pytest.fixture()
def app(config: ServerConfig, clock: FakeClock) -> Starlette:
    prepare_data_dir(config)
    return create_app(config, embedded_services(config, clock))


def begin(client: TestClient, next_path: str = "/account") -> str:
    """Start a sign-in; return the provider's authorization URL."""
    response = client.get(f"/login/oidc/mock?next={next_path}", follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def consent(authorize_url: str, subject: str) -> dict[str, str]:
    """Sign in at the provider as ``subject``; return the callback's query parameters."""
    answer = httpx2.post(authorize_url, data={"sub": subject}, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def callback(client: TestClient, query: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.get("/login/oidc/mock/callback", params=query, follow_redirects=False)


def test_authorization_url_carries_pkce_state_and_nonce(app: Starlette) -> None:
    url = begin(TestClient(app))
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43
    assert query["redirect_uri"] == ["http://testserver/login/oidc/mock/callback"]


def test_full_flow_signs_in_and_lands_where_asked(app: Starlette) -> None:
    client = TestClient(app)
    done = callback(client, consent(begin(client), "ada@example.org"))
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/account"
    me = client.get("/api/v1/me").json()
    assert me["user"]["name"] == "ada" and me["via"] == "session"
    # Signing in again maps to the same account, not a new one.
    again = TestClient(app)
    callback(again, consent(begin(again), "ada@example.org"))
    assert again.get("/api/v1/me").json()["user"]["id"] == me["user"]["id"]
    home = again.get("/")
    assert home.status_code == 200 and 'id="signed-in-as"' in home.text


def test_tampered_state_is_refused(app: Starlette) -> None:
    client = TestClient(app)
    query = consent(begin(client), "eve@example.org")
    query["state"] = query["state"][:-2] + "xx"
    refused = callback(client, query)
    assert refused.status_code == 400 and "did not start in this browser" in refused.text
    assert client.get("/api/v1/me").status_code == 401


def test_state_from_another_browser_is_refused(app: Starlette) -> None:
    victim, attacker = TestClient(app), TestClient(app)
    query = consent(begin(attacker), "mallory@example.org")
    refused = callback(victim, query)  # the victim's browser has no matching state cookie
    assert refused.status_code == 400
    assert victim.get("/api/v1/me").status_code == 401


def test_wrong_nonce_is_refused(app: Starlette, config: ServerConfig) -> None:
    client = TestClient(app)
    query = consent(begin(client), "nina@example.org")
    database = database_of(config.data_dir)  # SQLite, or PostgreSQL when the suite runs on it
    database.execute("UPDATE pending_logins SET nonce = 'not-the-nonce-we-sent'")
    database.close()
    refused = callback(client, query)
    assert refused.status_code == 400 and "could not be verified" in refused.text
    assert client.get("/api/v1/me").status_code == 401


def test_a_code_from_another_login_is_refused_by_its_nonce(app: Starlette) -> None:
    client = TestClient(app)
    stolen = consent(begin(client), "oscar@example.org")
    mine = consent(begin(client), "oscar@example.org")  # sets this browser's state cookie
    refused = callback(client, {"code": stolen["code"], "state": mine["state"]})
    assert refused.status_code == 400 and "could not be verified" in refused.text


def test_an_expired_or_used_code_is_refused(app: Starlette) -> None:
    client = TestClient(app)
    first = consent(begin(client), "paul@example.org")
    assert callback(client, first).status_code == 303
    other = TestClient(app)
    second = consent(begin(other), "paul@example.org")
    refused = callback(other, {"code": first["code"], "state": second["state"]})
    assert refused.status_code == 400 and "expired or already used" in refused.text


def test_a_login_left_too_long_expires(app: Starlette, clock: FakeClock) -> None:
    client = TestClient(app)
    query = consent(begin(client), "quinn@example.org")
    clock.now += LOGIN_TTL_SECONDS + 1
    refused = callback(client, query)
    assert refused.status_code == 400 and "took too long" in refused.text


def test_a_state_is_used_only_once(app: Starlette) -> None:
    client = TestClient(app)
    query = consent(begin(client), "rita@example.org")
    assert callback(client, query).status_code == 303
    replay = TestClient(app)
    replay.cookies.set("sxo_login_state", query["state"], path="/login/oidc")
    assert callback(replay, query).status_code == 400


def test_new_users_need_permission(tmp_path: Path, issuer: str) -> None:
    config = ServerConfig(data_dir=tmp_path / "d", web_root=ROOT / "web")
    config.data_dir.mkdir()
    config.settings_path.write_text(
        f'[oidc.mock]\nissuer = "{issuer}"\nclient_id = "c"\nclient_secret = "s"\n'
    )
    client = TestClient(create_app(config))
    refused = callback(client, consent(begin(client), "stranger@example.org"))
    assert refused.status_code == 403 and "No syncoxide account" in refused.text


def test_presets_fill_in_google_and_github(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[oidc.google]\npreset = "google"\nclient_id = "g"\nclient_secret = "gs"\n'
        '[oidc.github]\npreset = "github"\nclient_id = "h"\nclient_secret = "hs"\n'
    )
    providers = load_providers(path)
    assert providers["google"].issuer == "https://accounts.google.com"
    assert providers["google"].openid
    assert not providers["github"].openid
    assert providers["github"].token_endpoint == "https://github.com/login/oauth/access_token"
    assert "gs" not in repr(providers["google"])


def test_unknown_provider_is_a_404(app: Starlette) -> None:
    assert TestClient(app).get("/login/oidc/nope").status_code == 404
