"""Accounts through the API and the pages: passwords, sessions, CSRF, tokens, bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from syncoxide.server.accounts import service as accounts_service
from syncoxide.server.accounts.passwords import password_hasher
from syncoxide.server.accounts.service import SESSION_IDLE_SECONDS
from syncoxide.server.api.spec import MAX_JSON_BODY
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.ratelimit import Limit, RateLimits
from syncoxide.server.services import embedded_services
from tests.server.signin import PASSWORD, add_user, services, sign_in

ROOT = Path(__file__).resolve().parents[3]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def app(tmp_path: Path, clock: FakeClock) -> Starlette:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    prepare_data_dir(config)
    built = create_app(config, embedded_services(config, clock))
    add_user(built, "alice")
    return built


@pytest.fixture()
def client(app: Starlette) -> TestClient:
    return TestClient(app)


def error_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["message"], body
    return str(body["error"])


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    wrong = client.post("/api/v1/session", json={"name": "alice", "password": "nope-nope"})
    unknown = client.post("/api/v1/session", json={"name": "zed", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "sxo_session" not in wrong.cookies


def test_the_stored_dummy_hash_costs_what_a_real_one_does() -> None:
    """The hash an unknown user's sign-in is verified against has the default hasher's
    parameters: no fresh hash is made at import or on the first unknown sign-in. Under the
    test suite's cheap hasher (tests/conftest.py) the dummy is made at that cost instead."""
    hasher = password_hasher({})
    assert not hasher.check_needs_rehash(accounts_service._STORED_DUMMY)
    real = hasher.hash("a real password")
    assert real.split("$")[3] == accounts_service._STORED_DUMMY.split("$")[3]  # m, t, p
    current = accounts_service.PASSWORD_HASHER
    assert not current.check_needs_rehash(accounts_service.dummy_hash())


def test_session_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    response = client.post("/api/v1/session", json={"name": "alice", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets it (see next test)
    tls = TestClient(client.app, base_url="https://testserver")
    secure = tls.post("/api/v1/session", json={"name": "alice", "password": PASSWORD})
    assert "Secure" in secure.headers["set-cookie"]


def test_me_needs_a_credential(client: TestClient) -> None:
    assert error_of(client.get("/api/v1/me")) == "not_signed_in"
    bad = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert bad.status_code == 401 and error_of(bad) == "bad_authorization"
    csrf = sign_in(client, "alice")
    me = client.get("/api/v1/me").json()
    assert me == {
        "user": {"id": 1, "name": "alice", "display_name": "alice"},
        "via": "session",
        "csrf_token": csrf,  # the app's pages learn it here for their writes
    }


def test_cookie_writes_need_the_csrf_token(client: TestClient) -> None:
    csrf = sign_in(client, "alice")
    missing = client.post("/api/v1/tokens", json={"label": "x"})
    assert missing.status_code == 403 and error_of(missing) == "csrf_failed"
    wrong = client.post("/api/v1/tokens", json={"label": "x"}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    made = client.post("/api/v1/tokens", json={"label": "x"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201


def test_token_life_cycle(client: TestClient, clock: FakeClock) -> None:
    csrf = sign_in(client, "alice")
    made = client.post(
        "/api/v1/tokens",
        json={"label": "laptop", "expires_in_days": 1},
        headers={"X-CSRF-Token": csrf},
    ).json()
    secret = made["token"]
    assert secret.startswith("sxo_") and made["record"]["prefix"] == secret[:10]
    bearer = TestClient(client.app, headers={"Authorization": f"Bearer {secret}"})
    assert bearer.get("/api/v1/me").json()["via"] == "token"
    # Bearer calls need no CSRF token: a browser never adds that header on its own.
    created = bearer.post("/api/v1/tokens", json={"label": "from-script"})
    assert created.status_code == 201
    other = created.json()
    listed = bearer.get("/api/v1/tokens").json()["tokens"]
    assert [t["label"] for t in listed] == ["laptop", "from-script"]
    assert all("token" not in t and "hash" not in str(t) for t in listed)
    assert secret not in str(listed)
    gone = bearer.delete(f"/api/v1/tokens/{other['record']['id']}")
    assert gone.status_code == 204
    again = bearer.delete(f"/api/v1/tokens/{other['record']['id']}")
    assert again.status_code == 404 and error_of(again) == "not_found"
    revoked = TestClient(client.app, headers={"Authorization": f"Bearer {other['token']}"})
    assert error_of(revoked.get("/api/v1/me")) == "authentication"
    clock.now += 86400
    expired = bearer.get("/api/v1/me")
    assert expired.status_code == 401 and "expired" in expired.json()["message"]
    assert (
        error_of(
            TestClient(client.app, headers={"Authorization": "Bearer sxo_madeup"}).get("/api/v1/me")
        )
        == "authentication"
    )


def test_session_expires_when_idle_and_on_sign_out(client: TestClient, clock: FakeClock) -> None:
    csrf = sign_in(client, "alice")
    assert client.get("/api/v1/me").status_code == 200
    clock.now += SESSION_IDLE_SECONDS + 1
    assert client.get("/api/v1/me").status_code == 401
    csrf = sign_in(client, "alice")
    assert client.delete("/api/v1/session").status_code == 403  # CSRF applies to sign-out too
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "malformed_json"),
        (b'{"name": "alice"}', {"Content-Type": "text/plain"}, 415, "json_required"),
        (b'{"name": "alice"}', {"Content-Type": "application/json"}, 422, "invalid_body"),
        (
            b'{"name": 5, "password": "x"}',
            {"Content-Type": "application/json"},
            422,
            "invalid_body",
        ),
        (
            b'{"name": "a", "password": "x", "admin": true}',
            {"Content-Type": "application/json"},
            422,
            "invalid_body",
        ),
        (b"[1, 2]", {"Content-Type": "application/json"}, 422, "invalid_body"),
        (b"x" * (MAX_JSON_BODY + 1), {"Content-Type": "application/json"}, 413, "body_too_large"),
    ],
)
def test_bad_bodies_get_clear_json_errors(
    client: TestClient, body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    response = client.post("/api/v1/session", content=body, headers=headers)
    assert response.status_code == status
    assert error_of(response) == code


def test_unknown_api_paths_answer_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and error_of(response) == "not_found"


def test_sign_in_is_rate_limited_per_user_and_per_ip(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    limits = RateLimits(login_per_ip=Limit(6, 60), login_per_user=Limit(3, 60))
    app = create_app(config, limits=limits)
    add_user(app, "alice")
    client = TestClient(app)
    codes = [
        client.post("/api/v1/session", json={"name": "alice", "password": "wrong-pw"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    limited = client.post("/api/v1/session", json={"name": "alice", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    # Another name still gets through until the per-IP budget runs out.
    assert client.post("/api/v1/session", json={"name": "bob", "password": "x"}).status_code == 401
    assert client.post("/api/v1/session", json={"name": "cy", "password": "x"}).status_code == 429


def test_password_change(client: TestClient) -> None:
    csrf = sign_in(client, "alice")
    headers = {"X-CSRF-Token": csrf}
    wrong = client.put(
        "/api/v1/me/password",
        json={"current_password": "not-it", "new_password": "brand new pass"},
        headers=headers,
    )
    assert wrong.status_code == 401
    done = client.put(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "brand new pass"},
        headers=headers,
    )
    assert done.status_code == 204
    sign_in(client, "alice", "brand new pass")


def test_sign_in_page_then_home_then_tokens_then_sign_out(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    page = client.get("/login?next=/")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    no_csrf = client.post("/login?next=/", data={"name": "alice", "password": PASSWORD})
    assert no_csrf.status_code == 403 and "sxo_session" not in no_csrf.cookies
    wrong = client.post("/login?next=/", data={"name": "alice", "password": "bad", "csrf": csrf})
    assert wrong.status_code == 401 and "wrong" in wrong.text
    done = client.post(
        "/login?next=/",
        data={"name": "alice", "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and 'id="signed-in-as"' in home.text and "alice" in home.text
    session_csrf = home.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    made = client.post("/account/tokens", data={"label": "desk", "csrf": session_csrf})
    assert made.status_code == 201
    secret = made.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert secret.startswith("sxo_")
    assert client.get("/account").text.count(secret) == 0  # shown once only
    forged = client.post("/account/tokens", data={"label": "evil", "csrf": "forged"})
    assert forged.status_code == 403
    revoked = client.post("/account/tokens/1/revoke", data={"csrf": session_csrf})
    assert revoked.status_code == 200 and "revoked" in revoked.text
    out = client.post("/logout", data={"csrf": session_csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(app: Starlette) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        client = TestClient(app)
        page = client.get("/login")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        done = client.post(
            "/login",
            params={"next": target},
            data={"name": "alice", "password": PASSWORD, "csrf": csrf},
            follow_redirects=False,
        )
        assert done.headers["location"] == "/"


def test_every_response_has_the_content_security_policy(client: TestClient) -> None:
    assert client.get("/api/v1/me").headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    for path in ("/login", "/healthz", "/api/v1/me", "/nope", "/static/app.css"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in policy or path.startswith("/api/")
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy
        assert client.get(path).headers["x-content-type-options"] == "nosniff"


def test_secrets_are_not_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    client.post("/api/v1/session", json={"name": "alice", "password": "my-secret-guess"})
    client.get("/api/v1/me", headers={"Authorization": "Bearer sxo_leakme"})
    assert "my-secret-guess" not in caplog.text and "sxo_leakme" not in caplog.text
    assert "authentication" in caplog.text


def test_openapi_lists_every_api_route(client: TestClient) -> None:
    from tests.server.api.test_route_authorization import every_route

    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    routes = [
        (method, path)
        for method, path in every_route(client.app)  # type: ignore[arg-type]
        if path.startswith("/api/v1/") and method != "WS" and "openapi" not in path
    ]
    assert len(routes) >= 9
    for method, path in routes:
        assert method.lower() in document["paths"][path.replace(":int}", "}")], (method, path)


def test_tokens_users_and_events_are_separate(app: Starlette) -> None:
    asyncio.run(services(app).accounts.add_local_user("bob", PASSWORD))
    alice, bob = TestClient(app), TestClient(app)
    csrf = sign_in(alice, "alice")
    sign_in(bob, "bob")
    alice.post("/api/v1/tokens", json={"label": "alice-secret"}, headers={"X-CSRF-Token": csrf})
    assert bob.get("/api/v1/tokens").json() == {"tokens": []}
    assert bob.get("/api/v1/events").json()["events"] == []
    assert [e["kind"] for e in alice.get("/api/v1/events").json()["events"]] == ["token.created"]


def test_no_page_may_eval(client: TestClient) -> None:
    """Not even the pages that run Python: the app (/) and the receive page (/p/) start
    Pyodide with our own module, which needs only 'wasm-unsafe-eval'."""
    sign_in(client, "alice")
    pages = ("/", "/p/AAAAAAAAAAAAAAAAAAAAAA", "/login", "/account", "/healthz", "/nope")
    for path in (*pages, "/static/app.css", "/static/app-boot.mjs"):
        answer = client.get(path, follow_redirects=False)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self' 'wasm-unsafe-eval';" in policy, path
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy, path
    assert client.get("/p/AAAAAAAAAAAAAAAAAAAAAA").status_code == 200
    assert "'unsafe-eval'" not in client.get("/api/v1/me").headers["content-security-policy"]


def test_sign_out_everywhere_ends_every_browser_session_and_keeps_tokens(
    app: Starlette,
) -> None:
    here, there = TestClient(app), TestClient(app)
    csrf = sign_in(here, "alice")
    sign_in(there, "alice")
    made = here.post("/api/v1/tokens", json={"label": "laptop"}, headers={"X-CSRF-Token": csrf})
    token = made.json()["token"]
    forged = here.post("/account/sessions/end", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert there.get("/api/v1/me").status_code == 200  # a forged request ended nothing
    out = here.post("/account/sessions/end", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert here.get("/api/v1/me").status_code == 401
    assert there.get("/api/v1/me").status_code == 401
    by_token = TestClient(app).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 200 and by_token.json()["via"] == "token"
