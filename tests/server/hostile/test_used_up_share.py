"""Finding 11c: a share whose download limit is used up answers 410, as the docs say.

On the old server its page still answered 200 and listed its file names.
"""

from __future__ import annotations

from pathlib import Path

from tests.server.links.links_world import make_world, share_with


def test_a_used_up_share_is_gone_but_its_counted_visitor_resumes(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    share = share_with(world, {"secret-plans.pdf": b"%PDF-" + b"x" * 5000}, max_downloads=1)
    visitor = world.stranger()
    (file,) = share["files"]  # type: ignore[misc]
    whole = visitor.get(file["download_url"])
    assert whole.status_code == 200
    later = world.stranger()
    page = later.get(str(share["url"]))
    assert page.status_code == 410 and "secret-plans" not in page.text
    described = later.get(str(share["url"]).replace("/s/", "/api/v1/shares/"))
    assert described.status_code == 410 and "secret-plans" not in described.text
    resumed = visitor.get(file["download_url"], headers={"Range": "bytes=100-"})
    assert resumed.status_code == 206  # the one counted download may still resume
    owner_view = world.owner.get(str(share["url"]).replace("/s/", "/api/v1/shares/"))
    assert owner_view.status_code == 200
