"""Each action on real files made here, its output checked; bad input fails clearly."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from syncoxide.automation.actions import ActionOptions, plan_conversion
from syncoxide.errors import (
    ActionError,
    ActionTimeoutError,
    AlreadyExistsError,
    NotFoundError,
    UnsafeArchiveError,
    UnsupportedInputError,
    UsageError,
)
from syncoxide.native.actions.limits import ActionLimits
from syncoxide.native.actions.runner import ActionResult, ActionRun, run_action

from . import samples


def convert(
    inputs: list[Path], output: Path, limits: ActionLimits | None = None, **options: object
) -> ActionResult:
    name = str(output) + ("/" if output.suffix == "" and "unpack" in output.name else "")
    plan = plan_conversion([str(p) for p in inputs], name, ActionOptions(**options))  # type: ignore[arg-type]
    return run_action(ActionRun(plan, inputs, output, limits=limits))


def test_image_converts_format_size_quality_and_honours_exif_orientation(tmp_path: Path) -> None:
    # Stored 400x200 with orientation 6 ("rotate 90° clockwise to show"): shown 200x400.
    source = samples.photo(tmp_path / "phone.jpg", (400, 200), orientation=6)
    result = convert([source], tmp_path / "small.webp", max_size=100, quality=60)
    with Image.open(result.output) as image:
        assert image.format == "WEBP"
        assert image.size == (50, 100)
        assert image.getexif().get(samples.EXIF_ORIENTATION, 1) == 1
        # The blue corner (top left as stored) is at the top right once upright.
        assert image.convert("RGB").getpixel((45, 5))[2] > 150
    assert result.details == {"width": 50, "height": 100}


def test_transparent_png_to_jpeg_is_flattened(tmp_path: Path) -> None:
    source = samples.png_with_alpha(tmp_path / "logo.png")
    result = convert([source], tmp_path / "logo.jpg", watermark="© syncoxide")
    with Image.open(result.output) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (300, 300))


def test_images_become_one_pdf_with_a_page_each_upright(tmp_path: Path) -> None:
    pages = [
        samples.photo(tmp_path / "1.jpg", (400, 200)),
        samples.photo(tmp_path / "2.jpg", (400, 200), orientation=6),
        samples.png_with_alpha(tmp_path / "3.png", (100, 300)),
    ]
    result = convert(pages, tmp_path / "scans.pdf")
    reader = PdfReader(result.output)
    assert len(reader.pages) == 3
    shown = []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        shown.append("landscape" if (width > height) != (page.rotation % 180 == 90) else "portrait")
    assert shown == ["landscape", "portrait", "portrait"]


def test_office_document_becomes_a_pdf_with_its_pages(tmp_path: Path) -> None:
    source = samples.docx(tmp_path / "report.docx", pages=3)
    result = convert([source], tmp_path / "report.pdf")
    assert len(PdfReader(result.output).pages) == 3
    assert not list(tmp_path.glob("syncoxide-action-*")), "the scratch folder is gone"


def test_office_conversion_past_its_time_limit_is_killed_and_reported(tmp_path: Path) -> None:
    source = samples.docx(tmp_path / "slow.docx", pages=1)
    started = time.monotonic()
    with pytest.raises(ActionTimeoutError, match=r"limit of 0\.3 s"):
        convert(
            [source], tmp_path / "slow.pdf", limits=ActionLimits(seconds=0.3, memory_bytes=3 << 30)
        )
    assert time.monotonic() - started < 5
    assert not (tmp_path / "slow.pdf").exists()
    time.sleep(0.2)
    assert not _processes_using(tmp_path), "LibreOffice's whole process group was killed"


def _processes_using(folder: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(folder) in cmdline:
                found.append(cmdline)
    return found


def test_an_office_file_that_is_not_what_its_name_says_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "invoice.docx"
    samples.photo(fake)
    with pytest.raises(UnsupportedInputError, match="content is not such a document"):
        convert([fake], tmp_path / "invoice.pdf")


def test_macros_in_a_document_are_not_run(tmp_path: Path) -> None:
    # An ODF text whose load event would run a Basic macro writing a marker file.
    marker = tmp_path / "macro-ran"
    source = _odt_with_load_macro(tmp_path / "macro.odt", marker)
    result = convert([source], tmp_path / "macro.pdf")
    assert len(PdfReader(result.output).pages) == 1
    assert not marker.exists()


def _odt_with_load_macro(path: Path, marker: Path) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2">'
        "<office:scripts><office:event-listeners>"
        '<script:event-listener script:language="ooo:script" script:event-name="dom:load"'
        ' xlink:href="vnd.sun.star.script:Standard.Module1.Main'
        '?language=Basic&amp;location=document"/>'
        "</office:event-listeners></office:scripts>"
        "<office:body><office:text><text:p>Hello</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    basic = (
        '<?xml version="1.0" encoding="UTF-8"?><script:module'
        ' xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
        ' script:language="StarBasic">Sub Main\n'
        f'Open "{marker}" For Output As #1\nPrint #1, "ran"\nClose #1\nEnd Sub</script:module>'
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>'
            for name in (
                "content.xml",
                "Basic/Standard/Module1.xml",
                "Basic/Standard/script-lb.xml",
                "Basic/script-lc.xml",
            )
        )
        + "</manifest:manifest>"
    )
    library = (
        '<?xml version="1.0" encoding="UTF-8"?><library:library'
        ' xmlns:library="http://openoffice.org/2000/library" library:name="Standard"'
        ' library:readonly="false" library:passwordprotected="false">'
        '<library:element library:name="Module1"/></library:library>'
    )
    container = (
        '<?xml version="1.0" encoding="UTF-8"?><library:libraries'
        ' xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<library:library library:name="Standard" library:link="false"/></library:libraries>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content)
        archive.writestr("Basic/Standard/Module1.xml", basic)
        archive.writestr("Basic/Standard/script-lb.xml", library)
        archive.writestr("Basic/script-lc.xml", container)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


def test_zip_unpacks_into_a_folder(tmp_path: Path) -> None:
    source = tmp_path / "photos.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/one.txt", "one")
        archive.writestr("a/b/two.txt", "two")
    result = convert([source], tmp_path / "unpacked")
    assert (result.output / "a/one.txt").read_text() == "one"
    assert (result.output / "a/b/two.txt").read_text() == "two"
    assert result.details == {"entries": 2, "bytes": 6}


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:\\evil.txt"]
)
def test_a_zip_that_aims_outside_its_folder_is_refused_whole(tmp_path: Path, name: str) -> None:
    source = tmp_path / "trap.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("fine.txt", "fine")
        archive.writestr(name, "evil")
    with pytest.raises(UnsafeArchiveError, match=r"absolute|climbs out"):
        convert([source], tmp_path / "unpack")
    assert not (tmp_path / "unpack").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path: Path) -> None:
    source = tmp_path / "bomb.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("zeros.bin", b"\0" * (50 << 20))  # 50 MiB of zeros: ~50 kB packed
    assert source.stat().st_size < 100_000
    with pytest.raises(UnsafeArchiveError, match="times"):
        convert([source], tmp_path / "unpack")
    assert not (tmp_path / "unpack").exists()


def test_a_zip_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "many.zip"
    with zipfile.ZipFile(source, "w") as archive:
        for number in range(10_001):
            archive.writestr(f"{number}.txt", "")
    with pytest.raises(UnsafeArchiveError, match="10001 entries"):
        convert([source], tmp_path / "unpack")


def test_unpacking_never_overwrites_what_is_there(tmp_path: Path) -> None:
    source = tmp_path / "a.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("keep.txt", "new")
    (tmp_path / "unpack").mkdir()
    (tmp_path / "unpack/keep.txt").write_text("old")
    with pytest.raises(AlreadyExistsError):
        convert([source], tmp_path / "unpack")
    assert (tmp_path / "unpack/keep.txt").read_text() == "old"


def test_video_becomes_web_video_with_its_duration(tmp_path: Path) -> None:
    source = samples.clip(tmp_path / "clip.mkv", seconds=2.0)
    progress: list[float] = []
    plan = plan_conversion([str(source)], "clip.mp4")
    result = run_action(
        ActionRun(plan, [source], tmp_path / "clip.mp4"), on_progress=progress.append
    )
    assert samples.codecs_of(result.output) == ["aac", "h264"]
    assert samples.duration_of(result.output) == pytest.approx(2.0, abs=0.15)
    assert progress[-1] == 1.0


def test_audio_becomes_mp3(tmp_path: Path) -> None:
    source = samples.clip(tmp_path / "talk.wav", seconds=1.5, video=False)
    result = convert([source], tmp_path / "talk.mp3")
    assert samples.codecs_of(result.output) == ["mp3"]
    assert samples.duration_of(result.output) == pytest.approx(1.5, abs=0.15)


def test_a_video_with_no_usable_stream_fails_clearly(tmp_path: Path) -> None:
    source = tmp_path / "broken.mp4"
    source.write_bytes(b"\0\0\0\x18ftypmp42" + os.urandom(4000))
    with pytest.raises(ActionError, match=r"broken\.mp4"):
        convert([source], tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_watermark_on_every_pdf_page(tmp_path: Path) -> None:
    pdf = convert([samples.docx(tmp_path / "d.docx", pages=2)], tmp_path / "d.pdf").output
    result = convert([pdf], tmp_path / "stamped.pdf", watermark="CONFIDENTIAL (draft)")
    reader = PdfReader(result.output)
    assert len(reader.pages) == 2
    assert all("CONFIDENTIAL (draft)" in page.extract_text() for page in reader.pages)


def test_watermark_on_an_image_changes_its_corner(tmp_path: Path) -> None:
    source = tmp_path / "white.png"
    Image.new("RGB", (400, 300), (255, 255, 255)).save(source)
    result = convert([source], tmp_path / "stamped.png", watermark="syncoxide")
    with Image.open(result.output) as image:
        corner = image.crop((200, 200, 400, 300)).convert("L")
        assert corner.getextrema()[0] < 200  # the dark outline of the text
        assert image.getpixel((10, 10)) == (255, 255, 255)


def _logo(path: Path) -> Path:
    """A black 100 x 50 logo whose right half is transparent."""
    logo = Image.new("RGBA", (100, 50), (0, 0, 0, 255))
    logo.paste((0, 0, 0, 0), (50, 0, 100, 50))
    logo.save(path)
    return path


def test_an_image_watermark_is_a_half_opaque_logo_in_the_lower_right(tmp_path: Path) -> None:
    source = tmp_path / "white.jpg"
    Image.new("RGB", (400, 300), (255, 255, 255)).save(source, quality=95)
    logo = _logo(tmp_path / "logo.png")
    result = convert([source], tmp_path / "stamped.png", watermark_image=str(logo))
    with Image.open(result.output) as image:
        # 80 x 40 pixels (a fifth of the width), 8 pixels in from the corner (300 // 36)
        left, top = 400 - 80 - 8, 300 - 40 - 8
        opaque = image.getpixel((left + 20, top + 20))
        assert all(110 <= channel <= 145 for channel in opaque)  # black at half strength
        assert image.getpixel((left + 60, top + 20)) == (255, 255, 255)  # the logo's clear half
        assert image.getpixel((10, 10)) == (255, 255, 255)
        assert image.getpixel((left - 5, top + 20)) == (255, 255, 255)


def test_an_image_watermark_is_drawn_on_every_pdf_page_with_the_text(tmp_path: Path) -> None:
    pdf = convert([samples.docx(tmp_path / "d.docx", pages=2)], tmp_path / "d.pdf").output
    logo = _logo(tmp_path / "logo.png")
    result = convert([pdf], tmp_path / "stamped.pdf", watermark="DRAFT", watermark_image=str(logo))
    reader = PdfReader(result.output)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert {image.image.size for image in page.images} == {(100, 50)}
        assert "/SxoLogo gs" in page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
        assert "DRAFT" in page.extract_text()


def test_a_watermark_image_that_is_missing_or_not_an_image_is_refused(tmp_path: Path) -> None:
    source = samples.photo(tmp_path / "p.jpg")
    with pytest.raises(UsageError, match="not an image file"):
        ActionOptions(watermark_image=str(tmp_path / "logo.txt"))
    with pytest.raises(NotFoundError):
        convert([source], tmp_path / "out.jpg", watermark_image=str(tmp_path / "gone.png"))
    assert not (tmp_path / "out.jpg").exists()


def test_a_corrupt_image_fails_clearly_and_nothing_is_written(tmp_path: Path) -> None:
    good = io.BytesIO()
    Image.new("RGB", (500, 500), (1, 2, 3)).save(good, "JPEG")
    source = tmp_path / "cut.jpg"
    source.write_bytes(good.getvalue()[:300])
    with pytest.raises(ActionError, match="could not be read as an image"):
        convert([source], tmp_path / "out.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.jpg"]


def test_an_existing_output_is_not_overwritten(tmp_path: Path) -> None:
    source = samples.photo(tmp_path / "a.jpg")
    (tmp_path / "b.png").write_text("mine")
    with pytest.raises(AlreadyExistsError):
        convert([source], tmp_path / "b.png")
    assert (tmp_path / "b.png").read_text() == "mine"


def test_a_decoder_past_its_memory_limit_fails_as_memory(tmp_path: Path) -> None:
    source = tmp_path / "big.png"
    Image.new("RGB", (6000, 6000)).save(source, compress_level=1)
    with pytest.raises(ActionError, match="memory"):
        convert([source], tmp_path / "big.jpg", limits=ActionLimits(memory_bytes=200 << 20))
