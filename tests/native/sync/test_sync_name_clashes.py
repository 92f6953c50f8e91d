"""Names one side holds twice for this pair (case or Unicode form) never overwrite each other.

path1 keeps names exactly (ext4); path2 ignores case and remembers spelling (NTFS, APFS), so
``Report.txt`` and ``report.txt`` on path1 are one name on path2, and ``café`` in NFC and in
NFD are one name for any pair. Such a clash is reported, and every file under that name is left
as it is on both sides, in every mode; the rest of the run goes on.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from syncoxide.cli.main import main

from .sync_harness import T0, Pair

NFC, NFD = "caf\u00e9.txt", "cafe\u0301.txt"
MODES = ["copy", "sync", "move", "bisync"]


def clash_lines(pair_report) -> list[str]:
    return sorted(
        f"{s.side.value} {s.path}" for s in pair_report.plan.skipped if "name clash" in s.reason
    )


@pytest.mark.parametrize("mode", MODES)
def test_case_only_names_on_the_exact_side_are_a_clash_not_an_overwrite(mode: str) -> None:
    pair = Pair(two_case_sensitive=False)
    pair.one.put("Report.txt", b"upper", T0)
    pair.one.put("report.txt", b"lower", T0 + 1)
    pair.two.put("REPORT.TXT", b"theirs", T0 + 2)
    pair.one.put("other.txt", b"goes", T0)
    report = pair.run(mode)
    assert not report.failures
    assert clash_lines(report) == ["path1 Report.txt", "path1 report.txt", "path2 REPORT.TXT"]
    reasons = {s.reason for s in report.plan.skipped if s.side.value == "path1"}
    assert reasons == {
        "name clash: 'Report.txt' and 'report.txt' differ only in case, and path2 ignores case;"
        " neither is synced, rename one of them"
    }
    assert pair.user_files(pair.one).items() >= {
        ("Report.txt", b"upper"),
        ("report.txt", b"lower"),
    }
    assert pair.two.read("REPORT.TXT") == b"theirs"
    assert pair.two.read("other.txt") == b"goes"
    assert pair.trash(pair.one) == pair.trash(pair.two) == {}
    assert pair.run(mode).plan.actions == ()


@pytest.mark.parametrize("mode", MODES)
def test_nfc_and_nfd_of_one_name_are_a_clash_on_any_pair(mode: str) -> None:
    pair = Pair()
    pair.one.put(NFC, b"composed", T0)
    pair.one.put(NFD, b"decomposed", T0)
    pair.one.put("plain.txt", b"p", T0)
    report = pair.run(mode)
    assert clash_lines(report) == sorted([f"path1 {NFC}", f"path1 {NFD}"])
    reason = next(s.reason for s in report.plan.skipped if s.path == NFC)
    assert f"{NFD!r} (NFD) and {NFC!r} (NFC) differ only in Unicode form" in reason
    assert pair.user_files(pair.two) == {"plain.txt": b"p"}
    assert pair.user_files(pair.one).items() >= {(NFC, b"composed"), (NFD, b"decomposed")}


def test_a_case_insensitive_side_can_still_hold_both_unicode_forms() -> None:
    # NTFS folds case but keeps NFC and NFD apart; the clash is then on that side.
    pair = Pair(case_sensitive=False)
    pair.two.put(NFC, b"composed", T0)
    pair.two.put(NFD.upper(), b"decomposed", T0)
    pair.one.put(NFC, b"mine", T0 + 5)
    report = pair.run("bisync")
    assert clash_lines(report) == sorted([f"path1 {NFC}", f"path2 {NFC}", f"path2 {NFD.upper()}"])
    assert "differ only in case and Unicode form, and path1 and path2 ignore case" in next(
        s.reason for s in report.plan.skipped if s.side.value == "path2"
    )
    assert pair.user_files(pair.one) == {NFC: b"mine"}
    assert pair.user_files(pair.two) == {NFC: b"composed", NFD.upper(): b"decomposed"}


def test_a_file_and_a_folder_named_alike_keep_the_file_and_sync_the_folder() -> None:
    pair = Pair(two_case_sensitive=False)
    pair.one.put("Notes", b"a file", T0)
    pair.one.put("notes/today.txt", b"inside", T0)
    report = pair.run("bisync")
    assert clash_lines(report) == ["path1 Notes", "path1 notes"]
    assert "(a file and a folder)" in report.plan.skipped[0].reason
    assert pair.user_files(pair.two) == {"notes/today.txt": b"inside"}
    assert pair.one.read("Notes") == b"a file"


def test_folders_named_alike_merge_and_only_same_named_files_clash() -> None:
    pair = Pair(two_case_sensitive=False)
    pair.one.put("Docs/a.txt", b"a", T0)
    pair.one.put("docs/b.txt", b"b", T0)
    pair.one.put("Docs/same.txt", b"upper", T0)
    pair.one.put("docs/same.txt", b"lower", T0)
    report = pair.run("bisync")
    assert clash_lines(report) == ["path1 Docs/same.txt", "path1 docs/same.txt"]
    two = {name.casefold(): content for name, content in pair.user_files(pair.two).items()}
    assert two == {"docs/a.txt": b"a", "docs/b.txt": b"b"}
    assert pair.run("bisync").plan.actions == ()


def test_bisync_holds_a_clashing_name_then_syncs_it_once_renamed() -> None:
    pair = Pair(two_case_sensitive=False)
    pair.one.put("report.txt", b"v1", T0)
    pair.run("bisync")
    assert pair.two.read("report.txt") == b"v1"
    # A second spelling appears on path1, and path2 edits the file meanwhile.
    pair.one.put("Report.txt", b"another", T0 + 10**9)
    pair.two.put("report.txt", b"edited on two", T0 + 2 * 10**9)
    report = pair.run("bisync")
    assert report.plan.actions == () and len(clash_lines(report)) == 3
    assert pair.one.read("report.txt") == b"v1" and pair.two.read("report.txt") == b"edited on two"
    # Renamed: the held edit arrives (the unchanged v1 goes to the trash), the other name syncs.
    asyncio.run(pair.one.move("Report.txt", "Report (2).txt"))
    report = pair.run("bisync")
    assert not report.failures and clash_lines(report) == []
    assert pair.user_files(pair.one) == pair.user_files(pair.two)
    assert pair.user_files(pair.two) == {
        "report.txt": b"edited on two",
        "Report (2).txt": b"another",
    }
    assert list(pair.trash(pair.one).values()) == [b"v1"]


def test_a_side_holding_only_clashing_names_is_not_an_empty_side() -> None:
    pair = Pair(two_case_sensitive=False)
    pair.one.put("a.txt", b"a", T0)
    pair.run("bisync")
    pair.one.put("A.txt", b"other a", T0 + 10**9)
    report = pair.run("bisync")  # path2 lists only a held name; no empty-side stop
    assert report.plan.actions == () and len(clash_lines(report)) == 3


def test_the_cli_reports_an_nfc_nfd_pair_on_a_local_folder_and_syncs_the_rest(
    tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(tmp_path / "state"))
    one, two = tmp_path / "a", tmp_path / "b"
    one.mkdir()
    two.mkdir()
    (one / NFC).write_bytes(b"composed")
    (one / NFD).write_bytes(b"decomposed")  # ext4 keeps both: two files that look alike
    (one / "plain.txt").write_bytes(b"p")
    flags = ["--mode", "bisync", "--conflict", "keep-both"]
    assert main(["sync", str(one), str(two), *flags]) == 0
    out = capsys.readouterr().out
    assert f"skipped path1: {NFC} (name clash: {NFD!r} (NFD) and {NFC!r} (NFC)" in out
    assert sorted(p.name for p in two.iterdir() if p.name != ".syncoxide") == ["plain.txt"]
    assert main(["sync", str(one), str(two), *flags, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["planned"] == 0 and body["exit_code"] == 0
    assert sorted(item["path"] for item in body["skipped"]) == sorted([NFC, NFD])
    (one / NFD).rename(one / "cafe (2).txt")
    assert main(["sync", str(one), str(two), *flags]) == 0
    assert (two / NFC).read_bytes() == b"composed"
    assert (two / "cafe (2).txt").read_bytes() == b"decomposed"
