"""A commit that meets a blob store out for a moment loses nothing: the upload stays and the
same commit succeeds once the store is back; a refused commit still drops the upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncoxide.errors import ProviderUnavailableError
from tests.server.files.test_upload_times import API, _tus_finished
from tests.server.links.links_world import LinksWorld, make_world


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


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
