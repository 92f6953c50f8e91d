"""``syncoxide convert`` as a user runs it: the installed command, real files, exit codes."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader


def syncoxide(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "syncoxide.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_convert_resizes_and_stamps_an_image(tmp_path: Path) -> None:
    Image.new("RGB", (1600, 1200), (20, 20, 20)).save(tmp_path / "photo.jpg")
    done = syncoxide(
        "convert",
        "photo.jpg",
        "small.png",
        "--max-size",
        "400",
        "--watermark",
        "syncoxide",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "convert-image: wrote small.png" in done.stdout
    with Image.open(tmp_path / "small.png") as image:
        assert image.size == (400, 300)


def test_convert_gathers_images_into_one_pdf(tmp_path: Path) -> None:
    for name in ("1.jpg", "2.png", "3.webp"):
        Image.new("RGB", (300, 400), (200, 200, 200)).save(tmp_path / name)
    done = syncoxide("convert", "1.jpg", "2.png", "3.webp", "scans.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(PdfReader(tmp_path / "scans.pdf").pages) == 3


def test_convert_unpacks_into_a_folder_named_with_a_slash(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("x/y.txt", "y")
    done = syncoxide("convert", "a.zip", "out/", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out/x/y.txt").read_text() == "y"


def test_convert_says_plainly_what_it_cannot_do(tmp_path: Path) -> None:
    Image.new("RGB", (10, 10)).save(tmp_path / "a.png")
    done = syncoxide("convert", "a.png", "a.exe", cwd=tmp_path)
    assert done.returncode == 2
    assert "No action turns 'a.png' into 'a.exe'" in done.stderr
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff" + b"nonsense" * 10)
    done = syncoxide("convert", "bad.jpg", "bad.png", cwd=tmp_path)
    assert done.returncode == 1
    assert "could not be read as an image" in done.stderr
    assert not (tmp_path / "bad.png").exists()
