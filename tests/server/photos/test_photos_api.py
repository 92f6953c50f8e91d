"""The Photos API on real images made here: timeline order, thumbnails, duplicates, keep best."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw
from starlette.testclient import TestClient

from tests.server.links.links_world import make_world

EXIF_IFD, DATE_ORIGINAL, ORIENTATION = 0x8769, 0x9003, 0x0112


def picture(seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """A picture with structure (shapes at places set by ``seed``) so pHash has something."""
    image = Image.new("RGB", size, (seed * 40 % 255, 90, 160))
    draw = ImageDraw.Draw(image)
    for n in range(12):
        x, y = (seed * 97 + n * 131) % size[0], (seed * 53 + n * 71) % size[1]
        draw.ellipse((x, y, x + 200, y + 150), fill=((n * 30) % 255, (seed * 70) % 255, 40))
    return image


def jpeg(image: Image.Image, taken: str = "", quality: int = 90, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    if taken:
        exif.get_ifd(EXIF_IFD)[DATE_ORIGINAL] = taken
    exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def put(client: TestClient, path: str, data: bytes, mtime_ns: int = 0) -> None:
    params = {"path": path, "mtime_ns": str(mtime_ns)}
    answer = client.put("/api/v1/storage/content", params=params, content=data)
    assert answer.status_code == 200, answer.text


def test_timeline_thumbnails_duplicates_and_keep_best(tmp_path: Path) -> None:
    owner = make_world(tmp_path).owner
    original = picture(1)
    put(owner, "Camera/beach.jpg", jpeg(original, "2026:07:14 10:00:00"))
    put(owner, "Camera/beach-small.jpg",
        jpeg(original.resize((600, 450)), "2026:07:14 10:00:05", quality=60))  # fmt: skip
    put(owner, "Camera/beach-again.jpg", jpeg(original, "2026:07:14 10:00:00"))  # same bytes
    put(owner, "Camera/forest.jpg", jpeg(picture(7), "2025:01:02 08:00:00", orientation=6))
    put(owner, "Camera/no-date.png", _png(picture(3)), mtime_ns=1_796_126_400 * 10**9)
    put(owner, "Camera/broken.jpg", jpeg(picture(4))[:200])
    put(owner, "Camera/iphone.heic", b"\0\0\0\x18ftypheic" + b"\0" * 100)

    listed = owner.get("/api/v1/photos").json()
    days = [(d["date"], [p["path"] for p in d["photos"]]) for d in listed["days"]]
    # The PNG has no EXIF date: its file time counts.
    assert days[0] == ("2026-12-01", ["Camera/no-date.png"])
    assert days[1:] == [
        ("2026-07-14", ["Camera/beach-small.jpg", "Camera/beach-again.jpg", "Camera/beach.jpg"]),
        ("2025-01-02", ["Camera/forest.jpg"]),
    ]
    forest = listed["days"][2]["photos"][0]
    assert (forest["width"], forest["height"], forest["taken_from"]) == (900, 1200, "exif")
    assert listed["unreadable"] == ["Camera/broken.jpg"]
    assert listed["not_supported"] == ["Camera/iphone.heic"]
    assert listed["folders"] == {"home:Camera": 5}

    thumb = owner.get("/api/v1/photos/thumbnail", params={"path": "Camera/forest.jpg"})
    assert thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 320 and image.height > image.width  # upright

    dupes = owner.get("/api/v1/photos/duplicates").json()
    assert [[p["path"] for p in g] for g in dupes["exact"]] == [
        ["Camera/beach-again.jpg", "Camera/beach.jpg"]
    ]
    assert [sorted(p["path"] for p in g) for g in dupes["near"]] == [
        ["Camera/beach-again.jpg", "Camera/beach-small.jpg"]
    ]

    kept = owner.post("/api/v1/photos/keep-best", json={
        "keep": "Camera/beach.jpg", "others": ["Camera/beach-again.jpg", "Camera/beach-small.jpg"]
    })  # fmt: skip
    assert kept.json() == {"trashed": ["Camera/beach-again.jpg", "Camera/beach-small.jpg"]}
    left = [p["path"] for d in owner.get("/api/v1/photos").json()["days"] for p in d["photos"]]
    assert "Camera/beach-small.jpg" not in left and "Camera/beach.jpg" in left
    trash = owner.get("/api/v1/catalog/trash").json()
    assert "beach-small" in str(trash)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
