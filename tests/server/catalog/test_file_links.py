"""Stable links to a file: ``/f/<id>`` and ``GET /catalog/entries/<id>``, for their owner only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.links.links_world import LinksWorld, make_world
from tests.server.signin import signed_in_client

FILES, STORAGE = "/api/v1/catalog", "/api/v1/storage"


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def test_a_link_survives_a_rename_and_opens_the_app_on_the_file(world: LinksWorld) -> None:
    alice = world.owner
    put = alice.put(f"{STORAGE}/content", params={"path": "trip/plan.txt"}, content=b"v1")
    assert put.status_code == 200
    [found] = alice.get(f"{FILES}/search", params={"q": "plan"}).json()["entries"]
    link = found["link"]
    assert link == f"/f/{found['id']}" and found["id"] > 0

    moved = alice.post(f"{STORAGE}/move", json={"source": "trip", "target": "holiday"})
    assert moved.status_code == 200, moved.text
    assert alice.put(f"{STORAGE}/content", params={"path": "holiday/plan.txt"},
                     content=b"v2").status_code == 200  # fmt: skip
    same = alice.get(f"{FILES}/entries/{found['id']}").json()
    assert (same["location"], same["link"], same["size"]) == ("home:holiday/plan.txt", link, 2)

    opened = alice.get(link, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/?f={found['id']}#/all"


def test_anyone_else_gets_404_and_nobody_is_sent_to_sign_in(world: LinksWorld) -> None:
    alice = world.owner
    alice.put(f"{STORAGE}/content", params={"path": "secret.txt"}, content=b"mine")
    [found] = alice.get(f"{FILES}/search", params={"q": "secret"}).json()["entries"]
    bob, _csrf = signed_in_client(world.app, "bob")

    assert bob.get(f"{FILES}/entries/{found['id']}").status_code == 404
    assert bob.get(found["link"], follow_redirects=False).status_code == 404
    never = alice.get(f"/f/{found['id'] + 1000}", follow_redirects=False)
    assert never.status_code == 404  # the same answer as bob's: ids tell nothing
    assert alice.get(f"{FILES}/entries/{2**64}").status_code == 404

    nobody = world.stranger().get(found["link"], follow_redirects=False)
    assert nobody.status_code == 303
    assert nobody.headers["location"] == f"/login?next=/f/{found['id']}"
    assert world.stranger().get(f"{FILES}/entries/{found['id']}").status_code == 401
    assert alice.get("/f/not-a-number").status_code == 404
