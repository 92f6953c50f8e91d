from __future__ import annotations

import pytest

from syncoxide.automation.actions import MP3, WEB_VIDEO, Action, ActionOptions, plan_conversion
from syncoxide.automation.archive_guard import (
    ArchiveLimits,
    ArchiveMember,
    check_members,
    safe_member_name,
)
from syncoxide.automation.backoff import retry_delay
from syncoxide.automation.sniff import sniff
from syncoxide.errors import UnsafeArchiveError, UsageError


@pytest.mark.parametrize(
    ("inputs", "output", "action", "detail"),
    [
        (["a.HEIC.jpg"], "a.webp", Action.CONVERT_IMAGE, "WEBP"),
        (["1.jpg", "2.png"], "scans.pdf", Action.IMAGES_TO_PDF, ""),
        (["r.docx"], "r.pdf", Action.OFFICE_TO_PDF, ""),
        (["p.zip"], "photos/", Action.UNZIP, ""),
        (["c.mov"], "c.mp4", Action.CONVERT_MEDIA, WEB_VIDEO),
        (["t.wav"], "t.mp3", Action.CONVERT_MEDIA, MP3),
    ],
)
def test_the_action_is_picked_from_the_two_names(
    inputs: list[str], output: str, action: Action, detail: str
) -> None:
    plan = plan_conversion(inputs, output)
    assert plan.action is action
    assert detail in (plan.options.image_format, plan.options.preset)


def test_a_pdf_to_pdf_needs_a_watermark() -> None:
    with pytest.raises(UsageError, match="No action"):
        plan_conversion(["a.pdf"], "b.pdf")
    plan = plan_conversion(["a.pdf"], "b.pdf", ActionOptions(watermark="draft"))
    assert plan.action is Action.WATERMARK_PDF


@pytest.mark.parametrize(
    ("inputs", "output"),
    [([], "x.pdf"), (["a.docx", "b.docx"], "x.pdf"), (["a.jpg"], "folder/"), (["a.exe"], "a.pdf")],
)
def test_impossible_conversions_are_usage_errors(inputs: list[str], output: str) -> None:
    with pytest.raises(UsageError):
        plan_conversion(inputs, output)


@pytest.mark.parametrize(("options"), [{"max_size": 3}, {"quality": 0}, {"preset": "gif"}])
def test_options_out_of_range_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        ActionOptions(**options)  # type: ignore[arg-type]


def test_sniffing_reads_magic_not_names() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n....") == ("image", "png")
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == ("image", "webp")
    assert sniff(b"\0\0\0\x18ftypheic") == ("image", "heif")
    assert sniff(b"\0\0\0\x18ftypisom") == ("media", "mp4")
    assert sniff(b"PK\x03\x04") == ("zip", "zip")
    assert sniff(b"hello") == ("unknown", "")


@pytest.mark.parametrize(
    "name", ["../x", "a/../../x", "/etc/passwd", "\\\\server\\x", "C:/x", "a\x00b", ""]
)
def test_names_that_escape_are_refused(name: str) -> None:
    with pytest.raises(UnsafeArchiveError):
        safe_member_name(name, 32)


def test_names_are_normalised() -> None:
    assert safe_member_name("a//./b\\c.txt", 32) == "a/b/c.txt"
    with pytest.raises(UnsafeArchiveError, match="deep"):
        safe_member_name("/".join("d" * 40), 32)


def test_guards_judge_the_whole_directory() -> None:
    limits = ArchiveLimits(max_total_bytes=10 << 20, max_entries=3, max_ratio=100)
    ok = [ArchiveMember("a", 100, 200), ArchiveMember("b/", 0, 0, is_dir=True)]
    assert check_members(ok, limits, archive_size=400) == ["a", "b"]
    with pytest.raises(UnsafeArchiveError, match="entries"):
        check_members(ok * 2, limits, 400)
    with pytest.raises(UnsafeArchiveError, match="unpacks to"):
        check_members([ArchiveMember("a", 1 << 20, 11 << 20)], limits, 2 << 20)
    with pytest.raises(UnsafeArchiveError, match="times"):
        check_members([ArchiveMember("a", 1000, 5 << 20)], limits, 1200)
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        check_members([ArchiveMember("l", 5, 5, is_link=True)], limits, 100)


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [retry_delay(attempt, 0.5, base=5, cap=60) for attempt in range(1, 8)]
    assert delays == [5, 10, 20, 40, 60, 60, 60]
    assert retry_delay(1, 0.0, base=4) == 3.0
    assert retry_delay(1, 0.999, base=4) < 5.0
