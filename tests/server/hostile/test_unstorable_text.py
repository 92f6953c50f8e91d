"""Text no database stores is refused with a clear 4xx wherever the API reads it.

SQLite's encoders refuse a lone surrogate (finding 7) and PostgreSQL refuses a NUL character:
the API fuzz run on PostgreSQL sent ``GET /api/v1/storage?after=...%00...`` and got a 500 (the
server's log: "PostgreSQL text fields cannot contain NUL (0x00) bytes"). Queries, path values
and JSON bodies are checked in one place, the API's router, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.links.links_world import LinksWorld, make_world

pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, server_database: str) -> Iterator[LinksWorld]:
    world = make_world(tmp_path_factory.mktemp(f"unstorable-{server_database}"))
    yield world
    world.owner.close()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/storage?after=4%00e",
        "/api/v1/storage?path=docs%00",
        "/api/v1/storage?limit=5&after%00=x",
        "/api/v1/catalog/search?q=plan%00",
        "/api/v1/requests/ab%00cd/arrivals",
        "/api/v1/shares/ab%00cd",
    ],
)
def test_a_nul_in_a_query_or_path_is_refused(world: LinksWorld, path: str) -> None:
    sent = world.owner.get(path)
    assert sent.status_code in (400, 404), sent.text
    assert "NUL" in sent.json()["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/shares", {"title": "plan\u0000.pdf"}),
        ("/api/v1/tokens", {"label": "\u0000"}),
        ("/api/v1/requests", {"title": "Drop", "allowed_types": ["pdf\u0000"]}),
        ("/api/v1/shares", {"ti\u0000tle": "x"}),
    ],
)
def test_a_nul_in_a_json_body_is_refused(world: LinksWorld, path: str, body: object) -> None:
    sent = world.owner.post(path, json=body)
    assert sent.status_code == 400, sent.text
    assert "NUL" in sent.json()["message"]


def test_the_same_requests_without_the_nul_are_answered(world: LinksWorld) -> None:
    assert world.owner.get("/api/v1/storage?after=4e").status_code == 200
    assert world.owner.get("/api/v1/catalog/search?q=plan").status_code == 200
    assert world.owner.post("/api/v1/shares", json={"title": "plan.pdf"}).status_code == 201
