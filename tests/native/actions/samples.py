"""Sample files made by the tests themselves: images with EXIF orientation, a .docx, a clip."""

from __future__ import annotations

import subprocess
from pathlib import Path

from docx import Document
from PIL import Image

EXIF_ORIENTATION = 0x0112


def photo(path: Path, size: tuple[int, int] = (400, 200), orientation: int = 1) -> Path:
    """A JPEG of ``size`` (width, height as stored) with an EXIF orientation tag."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1] // 2))  # a corner to see rotation
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    image.save(path, "JPEG", exif=exif, quality=90)
    return path


def png_with_alpha(path: Path, size: tuple[int, int] = (300, 300)) -> Path:
    Image.new("RGBA", size, (10, 200, 10, 120)).save(path, "PNG")
    return path


def docx(path: Path, pages: int) -> Path:
    document = Document()
    for number in range(pages):
        document.add_heading(f"Page {number + 1}", level=1)
        document.add_paragraph("Made by the syncoxide tests. " * 20)
        if number < pages - 1:
            document.add_page_break()  # type: ignore[no-untyped-call]
    document.save(str(path))
    return path


def clip(path: Path, seconds: float = 2.0, *, video: bool = True, size: str = "320x240") -> Path:
    """A short clip made by ffmpeg itself: a test pattern and a tone."""
    sources = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if video:
        sources = [
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size={size}:rate=25:duration={seconds}",
            *sources,
        ]
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *sources, "-shortest", str(path)],
        check=True,
    )
    return path


def duration_of(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip())


def codecs_of(path: Path) -> list[str]:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name",
            "-of",
            "csv=p=0",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(out.split())
