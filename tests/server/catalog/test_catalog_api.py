"""The global view's API (/api/v1/catalog) in-process: star, Recent, search, trash, versions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import jsonschema
import pytest
from starlette.testclient import TestClient

from syncoxide.catalog.diff import IndexChanges
from syncoxide.catalog.model import CatalogEntry
from tests.server.links.links_world import LinksWorld, make_world
from tests.server.signin import services

FILES, STORAGE = "/api/v1/catalog", "/api/v1/storage"


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _put(client: TestClient, path: str, data: bytes) -> None:
    assert client.put(f"{STORAGE}/content", params={"path": path}, content=data).status_code == 200


def _paths(reply: object) -> list[str]:
    return [e["path"] for e in reply.json()["entries"]]  # type: ignore[attr-defined]


def test_star_recent_delete_restore_and_an_old_version(world: LinksWorld) -> None:
    alice = world.owner
    _put(alice, "trip/plan.txt", b"v1")
    world.clock.now += 5
    _put(alice, "trip/plan.txt", b"v2")
    starred = alice.put(f"{FILES}/star", json={"location": "home:trip/plan.txt", "starred": True})
    assert starred.status_code == 200, starred.text
    assert _paths(alice.get(f"{FILES}/starred")) == ["trip/plan.txt"]
    assert _paths(alice.get(f"{FILES}/recent")) == ["trip/plan.txt"]
    assert _paths(alice.get(f"{FILES}/search", params={"q": "plan in:home"})) == ["trip/plan.txt"]
    assert _paths(alice.get(FILES, params={"location": "home:trip"})) == ["trip/plan.txt"]

    assert alice.delete(STORAGE, params={"path": "trip/plan.txt"}).status_code == 204
    assert _paths(alice.get(f"{FILES}/search", params={"q": "plan"})) == []
    [item] = alice.get(f"{FILES}/trash").json()["items"]
    restored = alice.post(f"{FILES}/trash/restore", json={"id": item["id"]})
    assert restored.status_code == 200, restored.text
    assert _paths(alice.get(f"{FILES}/starred")) == ["trip/plan.txt"]

    [old] = alice.get(f"{FILES}/versions", params={"path": "trip/plan.txt"}).json()["items"]
    assert alice.post(f"{FILES}/versions/restore", json={"id": old["id"]}).status_code == 200
    content = alice.get(f"{STORAGE}/content", params={"path": "trip/plan.txt"}).content
    assert content == b"v1"


def test_bad_input_gets_clear_errors(world: LinksWorld) -> None:
    alice = world.owner
    for query in ('"', "AND OR NOT", "NEAR(", "*", "scope:u2"):
        assert alice.get(f"{FILES}/search", params={"q": query}).status_code == 200
    bad = alice.get(f"{FILES}/search", params={"q": "size:huge"})
    assert bad.status_code == 400 and "size" in bad.json()["message"]
    bad = alice.get(FILES, params={"location": "home:../etc"})
    assert bad.status_code == 400
    bad = alice.get(f"{FILES}/versions", params={"path": "a/../../b"})
    assert bad.status_code == 400
    missing = alice.put(f"{FILES}/star", json={"location": "home:nope", "starred": True})
    assert missing.status_code == 404
    assert alice.post(f"{FILES}/trash/restore", json={"id": 99}).status_code == 404
    assert world.stranger().get(f"{FILES}/recent").status_code == 401


def test_stats_dupes_refresh_and_the_published_spec(world: LinksWorld) -> None:
    alice = world.owner
    _put(alice, "a/same.bin", b"same bytes")
    _put(alice, "b/same copy.bin", b"same bytes")
    _put(alice, "big.iso", b"x" * 5000)
    [group] = alice.get(f"{FILES}/dupes").json()["groups"]
    assert sorted(e["path"] for e in group) == ["a/same.bin", "b/same copy.bin"]
    stats = alice.get(f"{FILES}/stats").json()
    assert stats["largest"][0]["path"] == "big.iso"
    assert sum(u["bytes"] for u in stats["usage"]) == 5020
    refreshed = alice.post(f"{FILES}/refresh", json={}).json()["sources"]
    assert refreshed[0]["source"] == "home" and refreshed[0]["changed"] == 0
    spec = alice.get("/api/v1/openapi.json").json()
    assert {"/api/v1/catalog/search", "/api/v1/catalog/trash/restore"} <= set(spec["paths"])
    # Answers keep to what the document promises (generated clients refuse anything else).
    starred = alice.put(f"{FILES}/star", json={"location": "home:big.iso", "starred": True})
    assert starred.status_code == 200, starred.text
    for path in ("recent", "starred", "search?q=big"):
        answer = alice.get(f"{FILES}/{path}").json()
        assert answer["entries"], path
        described = spec["paths"][f"/api/v1/catalog/{path.split('?')[0]}"]["get"]
        schema = described["responses"]["200"]["content"]["application/json"]["schema"]
        jsonschema.validate(answer, schema)


def test_duplicates_across_two_providers_by_hash_and_guessed_by_name_and_size(
    world: LinksWorld,
) -> None:
    """Home files carry sha256; an S3 connection's md5 ETags cannot match them, so the same
    name and size there is offered as a guess; the same sha256 on a second place is proven."""
    alice = world.owner
    _put(alice, "docs/report.pdf", b"r" * 300)
    _put(alice, "docs/photo.jpg", b"p" * 200)
    [report] = alice.get(f"{FILES}/search", params={"q": "report"}).json()["entries"]
    user_id = asyncio.run(services(world.app).store.user_by_name("alice")).id  # type: ignore[union-attr]
    elsewhere = (
        CatalogEntry("s3", "backup/report.pdf", size=300, content_hash="md5:0f0f"),
        CatalogEntry("s3", "old/report.pdf", size=299, content_hash=""),  # another size
        CatalogEntry("nas", "copy-of-report.pdf", size=300, content_hash=report["content_hash"]),
        CatalogEntry("s3", "photo.jpg", size=200, content_hash="sha256:" + "0" * 64),
    )
    store = world.app.state.catalog.store
    for source in ("s3", "nas"):
        changes = IndexChanges(upserts=tuple(e for e in elsewhere if e.source == source))
        asyncio.run(store.apply(user_id, source, changes))

    answer = alice.get(f"{FILES}/dupes").json()
    proven = [sorted(e["location"] for e in group) for group in answer["groups"]]
    assert proven == [["home:docs/report.pdf", "nas:copy-of-report.pdf"]]
    guesses = [sorted(e["location"] for e in group) for group in answer["guesses"]]
    # photo.jpg: a different sha256 proves the two differ, so it is no guess.
    assert guesses == [["home:docs/report.pdf", "s3:backup/report.pdf"]]


def test_space_by_age_bands_files_by_their_modification_time(world: LinksWorld) -> None:
    alice = world.owner
    user_id = asyncio.run(services(world.app).store.user_by_name("alice")).id  # type: ignore[union-attr]
    now = world.clock.now
    day = 86_400 * 10**9
    aged = (
        CatalogEntry("s3", "new.txt", size=1, mtime_ns=int(now * 10**9) - day),
        CatalogEntry("s3", "spring.txt", size=10, mtime_ns=int(now * 10**9) - 100 * day),
        CatalogEntry("s3", "2022.txt", size=100, mtime_ns=int(now * 10**9) - 3 * 365 * day),
        CatalogEntry("s3", "1999.txt", size=1000, mtime_ns=0),
        CatalogEntry("s3", "dir", kind="dir", mtime_ns=0),
    )
    asyncio.run(world.app.state.catalog.store.apply(user_id, "s3", IndexChanges(upserts=aged)))
    by_age = alice.get(f"{FILES}/stats").json()["by_age"]
    assert [(a["age"], a["files"], a["bytes"]) for a in by_age] == [
        ("this month", 1, 1), ("this year", 1, 10), ("1-5 years", 1, 100), ("older", 1, 1000)
    ]  # fmt: skip


def test_names_holding_every_word_come_first_the_closest_first_then_folders(
    world: LinksWorld,
) -> None:
    alice = world.owner
    for path in ("budget/notes.txt", "old budget 2023 final.xlsx", "x/budget.xlsx",
                 "budget plan/budget.txt", "other.txt"):  # fmt: skip
        _put(alice, path, b"1")
    found = _paths(alice.get(f"{FILES}/search", params={"q": "budget is:file"}))
    assert found == ["budget plan/budget.txt", "x/budget.xlsx", "old budget 2023 final.xlsx",
                     "budget/notes.txt"]  # fmt: skip
    two = _paths(alice.get(f"{FILES}/search", params={"q": "budget notes"}))
    assert two == ["budget/notes.txt"]  # one word in the name, one in the folder: still found
    assert _paths(alice.get(f"{FILES}/search", params={"q": "budget is:file", "limit": 2})) == [
        "budget plan/budget.txt", "x/budget.xlsx"]  # fmt: skip
