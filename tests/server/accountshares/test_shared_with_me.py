"""The global view's "Shared with me": an accepted account share is listed for its recipient
with the owner's name, and its files are marked as the owner's in the recipient's search and
listings; the owner and a third account see none of it as shared with them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.accountshares.shares_world import Person, World, shares_world

SHARES = "/api/v1/account-shares"
CATALOG = "/api/v1/catalog"


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    with shares_world(tmp_path / "data") as made:
        yield made


def _put(person: Person, path: str, body: bytes) -> None:
    answer = person.call("PUT", "/api/v1/storage/content", params={"path": path}, content=body)
    assert answer.status_code == 200, answer.text


def _search(person: Person, text: str) -> dict[str, dict]:
    answer = person.get(f"{CATALOG}/search", params={"q": text})
    assert answer.status_code == 200, answer.text
    return {e["location"]: e for e in answer.json()["entries"]}


def _shared_trip(world: World) -> dict:
    alice, bob = world["alice"], world["bob"]
    _put(alice, "trip/plan kyoto.txt", b"day one")
    _put(alice, "trip/photos/temple.jpg", b"\xff\xd8")
    _put(bob, "mine/plan budget.txt", b"bob's own")
    made = alice.post(SHARES, json={"to": "bob", "place": "home:trip"})
    assert made.status_code == 201, made.text
    share = dict(made.json())
    assert bob.post(f"{SHARES}/{share['id']}/accept", json={}).is_success
    world.wait_synced(bob, share["id"], 0)
    assert bob.post(f"{CATALOG}/refresh", json={"source": "home"}).is_success
    return share


def test_the_recipient_sees_the_share_with_its_owner_and_finds_its_files(world: World) -> None:
    share = _shared_trip(world)
    bob = world["bob"]
    answer = bob.get(f"{CATALOG}/shared-with-me")
    assert answer.status_code == 200, answer.text
    [listed] = answer.json()["shares"]
    assert (listed["id"], listed["owner"], listed["name"]) == (share["id"], "alice", "trip")
    assert listed["location"] == "home:Shared/trip"
    top = {e["path"]: e for e in listed["entries"]}
    assert set(top) == {"Shared/trip/plan kyoto.txt", "Shared/trip/photos"}
    assert all(e["owner"] == "alice" and e["shared"] for e in top.values())

    found = _search(bob, "plan")
    theirs = found["home:Shared/trip/plan kyoto.txt"]
    assert (theirs["owner"], theirs["shared"]) == ("alice", True)
    mine = found["home:mine/plan budget.txt"]
    assert (mine["owner"], mine["shared"]) == ("", False)
    inside = bob.get(CATALOG, params={"location": "home:Shared/trip/photos"}).json()["entries"]
    assert [(e["path"], e["owner"]) for e in inside] == [("Shared/trip/photos/temple.jpg", "alice")]


def test_neither_the_owner_nor_a_third_account_sees_it_as_shared_with_them(world: World) -> None:
    _shared_trip(world)
    alice, carol = world["alice"], world["carol"]
    for person in (alice, carol):
        answer = person.get(f"{CATALOG}/shared-with-me")
        assert answer.status_code == 200, answer.text
        assert answer.json()["shares"] == []
    assert _search(carol, "plan") == {}
    assert _search(carol, "kyoto") == {}
    own = _search(alice, "kyoto")["home:trip/plan kyoto.txt"]
    assert (own["owner"], own["shared"]) == ("", False)


def test_a_left_share_is_no_longer_listed(world: World) -> None:
    share = _shared_trip(world)
    bob = world["bob"]
    assert bob.post(f"{SHARES}/{share['id']}/leave").is_success
    assert bob.get(f"{CATALOG}/shared-with-me").json()["shares"] == []
    assert _search(bob, "kyoto")["home:Shared/trip/plan kyoto.txt"]["shared"] is False


def test_starred_and_recent_say_which_files_are_shared_and_by_whom(world: World) -> None:
    _shared_trip(world)
    bob = world["bob"]
    for location in ("home:Shared/trip/plan kyoto.txt", "home:mine/plan budget.txt"):
        starred = bob.call("PUT", f"{CATALOG}/star", json={"location": location, "starred": True})
        assert starred.status_code == 200, starred.text
    assert (starred.json()["owner"], starred.json()["shared"]) == ("", False)
    opened = bob.get("/api/v1/storage/content", params={"path": "Shared/trip/plan kyoto.txt"})
    assert opened.status_code == 200, opened.text

    for view in ("starred", "recent"):
        answer = bob.get(f"{CATALOG}/{view}")
        assert answer.status_code == 200, answer.text
        rows = {e["path"]: (e["owner"], e["shared"]) for e in answer.json()["entries"]}
        assert rows["Shared/trip/plan kyoto.txt"] == ("alice", True), view
        assert rows["mine/plan budget.txt"] == ("", False), view
