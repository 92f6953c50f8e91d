"""Automation rules on a connection's folder and on an account share, against a real WebDAV
server (wsgidav): a photo put into the folder is watermarked and shrunk and the result lands
beside it; a provider that starts refusing the credentials leaves a dead job saying so, the
photo untouched, and the job completes once reconnected; nobody makes a rule on another
account's connection or share."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.server.accountshares.shares_world import World
from tests.server.automation.provider_world import (
    OwnDav,
    add_rule,
    automation_world,
    connect,
    finished_jobs,
    jpeg,
    own_dav,
    wait_first_look,
    wait_for,
)


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # quiet_seconds low: these tests are not about the settle wait (test_provider_settle_*)
    settings = {"poll_seconds": 0.5, "quiet_seconds": 1, "settle_seconds": 2, "lease_seconds": 5}
    with automation_world(tmp_path, monkeypatch, ("alice", "bob", "carol"), **settings) as made:
        yield made


@pytest.fixture()
def dav(tmp_path: Path) -> Iterator[OwnDav]:
    with own_dav(tmp_path / "dav") as server:
        yield server


def test_a_photo_arriving_in_a_webdav_folder_is_converted_beside_it(
    world: World, dav: OwnDav
) -> None:
    alice = world["alice"]
    connect(alice, "nas", dav)
    camera = dav.root / "Camera"
    camera.mkdir()
    (camera / "before.jpg").write_bytes(jpeg((800, 600)))  # there before the rule: left alone
    rule = add_rule(alice, name="web copies", source_kind="connection", source="nas:Camera",
                    match_types=["image"], output="webp",
                    options={"max_size": 320, "watermark": "alice"})  # fmt: skip
    assert rule["connection_id"] is not None and rule["source"] == "Camera"
    wait_first_look(alice, rule["id"])
    (camera / "trip").mkdir()
    (camera / "trip" / "beach.jpg").write_bytes(jpeg((1200, 900), (200, 180, 90)))

    jobs = finished_jobs(alice)
    assert len(jobs) == 1, jobs
    job = jobs[0]
    assert job["status"] == "done", job
    assert job["items"] == ["trip/beach.jpg"] and job["output"] == "trip/beach.webp"
    made = wait_for(lambda: (camera / "trip" / "beach.webp").exists())
    assert made
    with Image.open(camera / "trip" / "beach.webp") as image:
        assert image.format == "WEBP" and max(image.size) == 320
        assert image.size == (320, 240)
    assert (camera / "trip" / "beach.jpg").exists(), "the original is kept"
    assert not (camera / "before.webp").exists()

    time.sleep(2)  # several polls see the result: it is ours, no job is made from it
    assert len(alice.get("/api/v1/jobs").json()["jobs"]) == 1
    (camera / "trip" / "beach.jpg").write_bytes(jpeg((1000, 1000)))  # changed: arrives again
    jobs = finished_jobs(alice, 2)
    assert [j["status"] for j in jobs] == ["done", "done"]
    with Image.open(camera / "trip" / "beach.webp") as image:
        assert image.size == (320, 320)


def test_refused_credentials_leave_a_dead_job_and_nothing_lost(world: World, dav: OwnDav) -> None:
    alice = world["alice"]
    nas = connect(alice, "nas", dav)
    (dav.root / "Scans").mkdir()
    rule = add_rule(alice, name="scans", source_kind="connection", source="nas:Scans",
                    match_types=["image"], output="pdf", combine=True,
                    target_folder="PDF")  # fmt: skip
    wait_first_look(alice, rule["id"])
    (dav.root / "Scans" / "page-1.jpg").write_bytes(jpeg((600, 800)))
    queued = wait_for(lambda: alice.get("/api/v1/jobs").json()["jobs"])
    assert queued[0]["status"] == "queued"  # waiting for more pages (settle_seconds)
    dav.restart("second-password")  # the provider now refuses what the connection holds

    job = finished_jobs(alice)[0]
    assert (job["status"], job["error_code"]) == ("dead", "authentication"), job
    assert "refused its credentials" in job["message"]
    assert "nothing was written" in job["message"]
    assert (dav.root / "Scans" / "page-1.jpg").exists()
    assert not (dav.root / "Scans" / "PDF").exists()
    connection = alice.get("/api/v1/connections").json()["connections"][0]
    assert connection["state"] == "reconnect", connection

    fixed = alice.call("PUT", f"/api/v1/connections/{nas['id']}",
                       json={"options": {"password": "second-password"}})  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    assert alice.post(f"/api/v1/jobs/{job['id']}/retry").status_code == 200
    done = wait_for(lambda: alice.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "done")
    assert done
    pdfs = list((dav.root / "Scans" / "PDF").glob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")


def test_no_rule_on_another_accounts_connection_or_share(world: World, dav: OwnDav) -> None:
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    connect(alice, "nas", dav)
    rule = {"name": "theirs", "source_kind": "connection", "source": "nas:Camera",
            "output": "webp"}  # fmt: skip
    refused = bob.post("/api/v1/automation/rules", json=rule)
    assert refused.status_code == 404, refused.text
    assert "no connection 'nas'" in refused.text
    (dav.root / "Family").mkdir()
    share = alice.post("/api/v1/account-shares", json={"to": "bob", "place": "nas:Family"})
    assert share.status_code == 201, share.text
    on_share = {**rule, "source_kind": "share", "source": str(share.json()["id"])}
    not_yet = bob.post("/api/v1/automation/rules", json=on_share)
    assert not_yet.status_code == 404, "an invitation not accepted is no place to watch"
    accepted = bob.post(f"/api/v1/account-shares/{share.json()['id']}/accept",
                        json={"place": "home:Family"})  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assert carol.post("/api/v1/automation/rules", json=on_share).status_code == 404
    assert bob.post("/api/v1/automation/rules", json=on_share).status_code == 201
    assert alice.post("/api/v1/automation/rules", json=on_share).status_code == 201
    assert carol.get("/api/v1/automation/rules").json()["rules"] == []


def test_a_share_rule_converts_in_the_place_the_share_lands(world: World, dav: OwnDav) -> None:
    alice, bob = world["alice"], world["bob"]
    connect(alice, "nas", dav)
    connect(bob, "mine", dav)
    (dav.root / "Family").mkdir()
    share = alice.post("/api/v1/account-shares", json={"to": "bob", "place": "nas:Family"}).json()
    accepted = bob.post(f"/api/v1/account-shares/{share['id']}/accept",
                        json={"place": "mine:FromAlice"})  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    world.wait_synced(bob, share["id"], 0)
    rule = add_rule(bob, name="small", source_kind="share", source=str(share["id"]),
                    match_types=["image"], output="jpg", target_folder="small",
                    options={"max_size": 100})  # fmt: skip
    wait_first_look(bob, rule["id"])
    (dav.root / "FromAlice" / "cat.png").write_bytes(_png((400, 200)))

    job = finished_jobs(bob)[0]
    assert job["status"] == "done", job
    assert job["output"] == "small/cat.jpg"
    with Image.open(dav.root / "FromAlice" / "small" / "cat.jpg") as image:
        assert image.size == (100, 50)
    assert alice.get("/api/v1/jobs").json()["jobs"] == []


def _png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_share_landing_in_server_storage_converts_on_write(world: World, dav: OwnDav) -> None:
    alice, bob = world["alice"], world["bob"]
    connect(alice, "nas", dav)
    (dav.root / "Family").mkdir()
    share = alice.post("/api/v1/account-shares", json={"to": "bob", "place": "nas:Family"}).json()
    accepted = bob.post(f"/api/v1/account-shares/{share['id']}/accept",
                        json={"place": "home:FromAlice"})  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    add_rule(bob, name="web", source_kind="share", source=str(share["id"]),
             match_types=["image"], output="webp")  # fmt: skip
    elsewhere = bob.call("PUT", "/api/v1/storage/content", params={"path": "Other/a.jpg"},
                         content=jpeg((300, 200)))  # fmt: skip
    assert elsewhere.status_code == 200, elsewhere.text
    stored = bob.call("PUT", "/api/v1/storage/content", params={"path": "FromAlice/b/dog.jpg"},
                      content=jpeg((300, 200)))  # fmt: skip
    assert stored.status_code == 200, stored.text

    job = finished_jobs(bob)[0]
    assert (job["status"], job["items"], job["output"]) == (
        "done",
        ["FromAlice/b/dog.jpg"],
        "FromAlice/b/dog.webp",
    ), job
    result = bob.get("/api/v1/storage/content", params={"path": "FromAlice/b/dog.webp"})
    with Image.open(io.BytesIO(result.content)) as image:
        assert image.format == "WEBP" and image.size == (300, 200)
    assert len(bob.get("/api/v1/jobs").json()["jobs"]) == 1  # Other/ is not the share


def test_an_end_to_end_encrypted_share_cannot_be_watched(world: World, dav: OwnDav) -> None:
    alice = world["alice"]
    connect(alice, "nas", dav)
    (dav.root / "Sealed").mkdir()
    made = alice.post("/api/v1/account-shares", json={"to": "bob", "place": "nas:Sealed"})
    assert made.status_code == 201, made.text
    store = world.app.state.account_shares.store
    share = store.get(made.json()["id"])
    store.save(replace(share, encrypted=True))  # as an encrypted share is recorded
    rule = {"name": "x", "source_kind": "share", "source": str(share.id), "output": "pdf"}
    refused = alice.post("/api/v1/automation/rules", json=rule)
    assert refused.status_code == 400, refused.text
    assert "end-to-end encrypted" in refused.json()["message"]
