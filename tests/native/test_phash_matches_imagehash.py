"""The browser's pure-Python pHash and EXIF reader against imagehash and Pillow on the same
pictures: one hash and one date whichever side made them."""

from __future__ import annotations

import io

import imagehash
import pytest
from PIL import Image, ImageFilter

from syncoxide.native.photos.facts import exif_date
from syncoxide.photos.exif import read_exif
from syncoxide.photos.phash import SIDE, grey_of_rgba, phash_of_grey


def picture(seed: int) -> Image.Image:
    """A photo-like picture (smooth, with no symmetry that leaves DCT terms at zero)."""
    channels = []
    for shift in range(3):
        noise = Image.effect_noise((64, 48), 60 + 10 * seed + shift)
        channels.append(noise.filter(ImageFilter.GaussianBlur(4)).resize((256, 192)))
    return Image.merge("RGB", channels)


@pytest.mark.parametrize("seed", range(8))
def test_the_same_grey_pixels_give_imagehashs_phash(seed: int) -> None:
    small = picture(seed).resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    rgba = small.convert("RGBA").tobytes()
    assert grey_of_rgba(rgba) == list(small.convert("L").tobytes())
    assert phash_of_grey(grey_of_rgba(rgba)) == str(imagehash.phash(small))


@pytest.mark.parametrize("stamp", ["2026:07:14 10:00:00", "1999:01:02 03:04:05"])
def test_exif_dates_read_as_pillow_reads_them(stamp: str) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = stamp
    out = io.BytesIO()
    picture(1).save(out, "JPEG", exif=exif.tobytes())
    facts = read_exif(out.getvalue())
    with Image.open(io.BytesIO(out.getvalue())) as image:
        assert facts.taken == exif_date(image)
    assert facts.orientation == 6
