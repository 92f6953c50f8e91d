"""Finding 5: what a stranger's uploads cost the server does not grow with their number.

On the old server, 1,500 anonymous uploads all named ``same.txt`` took 3 -> 22 ms each, since
naming the next copy asked the database once per earlier copy (``same (1).txt``, ``(2)``...),
on the event loop. Naming now bisects (about ``2 log2(copies)`` indexed lookups); a request link
created without a file cap gets one, and one address may start only so many uploads a minute.
"""

from __future__ import annotations

import math
from pathlib import Path

from starlette.testclient import TestClient

from syncoxide.server.links.api import DEFAULT_REQUEST_MAX_FILES
from syncoxide.server.links.uploads import DROPS_PER_LINK_AND_ADDRESS
from tests.server.links.links_world import TUS, LinksWorld, make_world, metadata, tus_upload
from tests.server.shared_parts import local_blobs_only

COPIES = 200


def _request(world: LinksWorld, **options: object) -> str:
    made = world.owner.post("/api/v1/requests", json={"title": "scans", **options})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_naming_a_copy_costs_logarithmic_lookups(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    link_id = _request(world, max_files=10_000)
    store = world.app.state.links.store
    lookups: list[int] = []
    original = store.has_path

    def counted(link: str, path: str) -> bool:
        lookups[-1] += 1
        return original(link, path)

    store.has_path = counted
    stranger = world.stranger(**{"Syncoxide-Link": link_id})
    for _ in range(COPIES):
        lookups.append(0)
        assert tus_upload(stranger, "/api/v1/drop/", b"x", path="same.txt") == 204
    arrived = world.owner.get(f"/api/v1/requests/{link_id}/arrivals").json()["files"]
    names = [file["path"] for file in arrived]
    assert len(set(names)) == COPIES and f"same ({COPIES - 1}).txt" in names
    # The old loop asked once per earlier copy: 200 lookups for the 200th.
    assert max(lookups) <= 2 * math.ceil(math.log2(COPIES)) + 2, lookups[-5:]


def test_a_request_link_without_a_cap_gets_one(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    link_id = _request(world)
    described = world.owner.get(f"/api/v1/requests/{link_id}").json()
    assert described["max_files"] == DEFAULT_REQUEST_MAX_FILES


@local_blobs_only("each start makes an S3 multipart upload: 300 took 78 s, past the minute")
def test_one_address_may_start_only_so_many_uploads_a_minute(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    link_id = _request(world)
    headers = {**TUS, "Syncoxide-Link": link_id, "Upload-Length": "1"}
    flood = TestClient(world.app, client=("203.0.113.9", 1), headers=headers)
    starts = [
        flood.post("/api/v1/drop/", headers={"Upload-Metadata": metadata(path=f"{n}.txt")})
        for n in range(DROPS_PER_LINK_AND_ADDRESS.attempts + 1)
    ]
    assert {s.status_code for s in starts[:-1]} == {201}
    assert starts[-1].status_code == 429 and int(starts[-1].headers["retry-after"]) >= 1
    other = TestClient(world.app, client=("198.51.100.4", 1), headers=headers)
    answer = other.post("/api/v1/drop/", headers={"Upload-Metadata": metadata(path="mine.txt")})
    assert answer.status_code == 201, answer.text
