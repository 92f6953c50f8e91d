"""What the photos view needs of one image, read once: capture date, size, pHash, thumbnail.

Runs in the server's threads, not a child process: it only decodes images (no external tool,
no document format), Pillow releases the GIL while it decodes, and a process per photo would
cost more than the photo (a child starts in about 0.1-0.9 s). Decompression bombs are refused
by Pillow's pixel ceiling (``images.py`` sets 60 megapixels, error above 120). JPEGs are
decoded at reduced size (``Image.draft``: the DCT scales by 1/2, 1/4 or 1/8 for free), which is
where thumbnails gain over a plain open-and-resize loop.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from syncoxide.errors import ActionError
from syncoxide.native.actions.images import ACCEPTED_FORMATS

THUMBNAIL_SIDE = 320
HASH_SIDE = 64  # pHash reads a 32x32 grey image: decode no larger than needed
_EXIF_IFD, _DATE_ORIGINAL, _DATE_TIME = 0x8769, 0x9003, 0x0132


@dataclass(frozen=True)
class PhotoFacts:
    taken: str  # ISO 8601 from EXIF, or "" when the photo has none
    width: int  # as shown (EXIF orientation applied)
    height: int
    phash: str
    thumbnail: bytes  # JPEG, longest side THUMBNAIL_SIDE


def read_facts(path: Path, side: int = THUMBNAIL_SIDE) -> PhotoFacts:
    try:
        with Image.open(path) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ActionError(f"{path.name!r} is a {image.format} image, not supported here.")
            taken = exif_date(image)
            width, height = _shown_size(image)  # before draft() shrinks it
            image.draft("RGB", (side, side))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
            phash = str(_phash(upright))
            return PhotoFacts(taken, width, height, phash, _jpeg(upright))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ActionError(f"{path.name!r} could not be read as an image: {error}.") from None


def _phash(image: Image.Image) -> object:
    # Imported here: imagehash brings numpy and scipy (~0.3 s), which the server's start and
    # every other photo path do not need.
    import imagehash

    return imagehash.phash(image)


def exif_date(image: Image.Image) -> str:
    exif = image.getexif()
    raw = exif.get_ifd(_EXIF_IFD).get(_DATE_ORIGINAL) or exif.get(_DATE_TIME)
    if not isinstance(raw, str):
        return ""
    try:
        return dt.datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return ""


def _shown_size(image: Image.Image) -> tuple[int, int]:
    """The full size as shown: the header's size, turned by the EXIF orientation."""
    width, height = image.size
    if image.getexif().get(0x0112) in (5, 6, 7, 8):
        return height, width
    return width, height


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
