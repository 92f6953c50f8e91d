"""Finding 9: a right-to-left override cannot disguise a name.

``invoice\\u202efdp.exe`` shows as ``invoiceexe.pdf``. On the old server such names were kept on
the share page, in zips and on disk after a pull. Names from strangers lose every bidirectional
control now (``safe_names``), and the owner's storage API refuses them with a clear message.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from syncoxide.safe_names import BIDI_CONTROLS, sanitized_relative_path
from tests.server.links.links_world import make_world, share_with, tus_upload

DISGUISED = "invoice\u202efdp.exe"


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2066", "\u2067", "\u200f", "\u061c"])
def test_every_bidi_control_is_dropped_from_names(control: str) -> None:
    assert sanitized_relative_path(f"a{control}b/c{control}.txt") == "ab/c.txt"


def test_request_arrivals_and_shares_keep_no_override(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    request = world.owner.post("/api/v1/requests", json={"title": "bills"}).json()
    stranger = world.stranger(**{"Syncoxide-Link": request["id"]})
    assert tus_upload(stranger, "/api/v1/drop/", b"MZ", path=DISGUISED) == 204
    arrivals = world.owner.get(f"/api/v1/requests/{request['id']}/arrivals").json()["files"]
    assert [f["path"] for f in arrivals] == ["invoicefdp.exe"]

    share = share_with(world, {f"docs/{DISGUISED}": b"MZ"})
    page = world.stranger().get(str(share["url"]))
    assert page.status_code == 200 and not BIDI_CONTROLS.search(page.text)
    zipped = world.stranger().get(str(share["zip_url"]))
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert archive.namelist() == ["docs/invoicefdp.exe"]


def test_the_storage_api_refuses_a_disguised_name(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    answer = world.owner.put("/api/v1/storage/content", params={"path": DISGUISED}, content=b"MZ")
    assert answer.status_code == 400 and "bidirectional" in answer.json()["message"]
