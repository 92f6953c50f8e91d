"""A commit that meets a blob store out for a moment loses nothing: the upload stays and the
same commit succeeds once the store is back; a refused commit still drops the upload. A commit
sent again after it succeeded (its answer was lost) answers the same, on any instance."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from syncoxide.errors import ProviderUnavailableError
from syncoxide.server.app import create_app
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.commits import KEEP_SECONDS
from syncoxide.server.services import embedded_services
from tests.server.files.test_upload_times import API, _tus_finished
from tests.server.links.links_world import ROOT, LinksWorld, make_world
from tests.server.shared_parts import local_blobs_only


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


@local_blobs_only(
    "the outage is put into the local store's adopt; on S3 a finished upload "
    "becomes its blob by a server-side copy"
)
def test_a_commit_during_a_blob_store_outage_can_be_sent_again(
    world: LinksWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = world.app.state.services.blobs
    working = blobs.adopt

    async def out_once(*args: Any, **kwargs: Any) -> int:
        # The store answers again after this one call, as after a short outage.
        monkeypatch.setattr(blobs, "adopt", working)
        raise ProviderUnavailableError("the blob store did not answer")

    monkeypatch.setattr(blobs, "adopt", out_once)
    upload = _tus_finished(world.owner, "report.pdf", b"%PDF-1.7 twelve")
    body = {"upload": upload, "path": "report.pdf"}
    failed = world.owner.post(f"{API}/commit", json=body)
    assert failed.status_code >= 500, failed.text
    assert world.owner.get(f"{API}/stat", params={"path": "report.pdf"}).status_code == 404
    again = world.owner.post(f"{API}/commit", json=body)
    assert again.status_code == 201, again.text
    got = world.owner.get(f"{API}/content", params={"path": "report.pdf"})
    assert got.content == b"%PDF-1.7 twelve"


def test_a_refused_commit_drops_the_upload(world: LinksWorld) -> None:
    upload = _tus_finished(world.owner, "a.txt", b"alpha")
    body = {"upload": upload, "path": "a.txt", "sha1": "0" * 40}
    refused = world.owner.post(f"{API}/commit", json=body)
    assert 400 <= refused.status_code < 500 and "SHA-1" in refused.text, refused.text
    again = world.owner.post(f"{API}/commit", json={"upload": upload, "path": "a.txt"})
    assert again.status_code == 404, again.text


def _other_instance(world: LinksWorld, tmp_path: Path) -> TestClient:
    """Alice's session on a second server built on the same database and data directory,
    as another instance behind the load balancer."""
    config = ServerConfig(data_dir=tmp_path / "data", web_root=ROOT / "web")
    app = create_app(config, embedded_services(config, clock=world.clock))
    client = TestClient(app, cookies=world.owner.cookies)
    client.headers.update(world.owner.headers)
    return client


@pytest.mark.both_databases
def test_a_commit_sent_again_after_it_succeeded_answers_the_same(
    world: LinksWorld, tmp_path: Path
) -> None:
    upload = _tus_finished(world.owner, "report.pdf", b"%PDF-1.7 twelve")
    body = {"upload": upload, "path": "report.pdf", "mtime_ns": 5_000_000_000}
    first = world.owner.post(f"{API}/commit", json=body)
    assert first.status_code == 201, first.text
    again = world.owner.post(f"{API}/commit", json=body)
    assert (again.status_code, again.json()) == (201, first.json())
    elsewhere = _other_instance(world, tmp_path).post(f"{API}/commit", json=body)
    assert (elsewhere.status_code, elsewhere.json()) == (201, first.json())
    listed = world.owner.get(API, params={"path": ""}).json()["entries"]
    assert [entry["path"] for entry in listed] == ["report.pdf"]
    assert world.owner.get(f"{API}/content", params={"path": "report.pdf"}).content == (
        b"%PDF-1.7 twelve"
    )


@pytest.mark.both_databases
def test_a_commit_sent_again_for_another_name_or_other_bytes_is_refused(
    world: LinksWorld,
) -> None:
    upload = _tus_finished(world.owner, "a.txt", b"alpha")
    sha1 = hashlib.sha1(b"alpha").hexdigest()
    body = {"upload": upload, "path": "a.txt", "sha1": sha1}
    assert world.owner.post(f"{API}/commit", json=body).status_code == 201
    renamed = world.owner.post(f"{API}/commit", json={**body, "path": "b.txt"})
    assert renamed.status_code == 409 and "'a.txt'" in renamed.json()["message"], renamed.text
    other = world.owner.post(f"{API}/commit", json={**body, "sha1": "0" * 40})
    assert other.status_code == 422 and sha1 in other.json()["message"], other.text
    assert world.owner.get(f"{API}/stat", params={"path": "b.txt"}).status_code == 404
    assert world.owner.post(f"{API}/commit", json=body).status_code == 201  # still the same


def test_a_commit_is_remembered_for_a_day(world: LinksWorld) -> None:
    upload = _tus_finished(world.owner, "a.txt", b"alpha")
    body = {"upload": upload, "path": "a.txt"}
    assert world.owner.post(f"{API}/commit", json=body).status_code == 201
    world.clock.now += KEEP_SECONDS - 1
    assert world.owner.post(f"{API}/commit", json=body).status_code == 201
    world.clock.now += 2
    late = world.owner.post(f"{API}/commit", json=body)
    assert late.status_code == 404, late.text
    commits = world.app.state.files.store.commits
    alice = asyncio.run(world.app.state.services.store.user_by_name("alice"))
    assert alice is not None
    assert commits.find(alice.id, upload, 0) is not None  # kept until the next commit
    other = {"upload": _tus_finished(world.owner, "b.txt", b"beta"), "path": "b.txt"}
    assert world.owner.post(f"{API}/commit", json=other).status_code == 201
    assert commits.find(alice.id, upload, 0) is None  # which dropped it for good
