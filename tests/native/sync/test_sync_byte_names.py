"""A file name that is not valid UTF-8 never stops a pair (the reproduction from issue 26)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from syncoxide.cli.main import main

BAD = os.fsdecode(b"bad_\x81.txt")


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(tmp_path / "state"))
    one, two = tmp_path / "a", tmp_path / "b"
    one.mkdir()
    two.mkdir()
    return one, two


def test_a_byte_name_beside_an_edit_syncs_both(pair: tuple[Path, Path], capsys) -> None:
    one, two = pair
    (one / "ok.txt").write_text("x\n")
    assert main(["sync", str(one), str(two), "--mode", "bisync", "--conflict", "keep-both"]) == 0
    (one / "ok.txt").write_text("edit\n")
    (two / BAD).write_bytes(b"y")
    assert main(["sync", str(one), str(two), "--mode", "bisync", "--conflict", "keep-both"]) == 0
    assert (two / "ok.txt").read_text() == "edit\n"
    assert (one / BAD).read_bytes() == b"y"
    assert os.fsencode(BAD) in os.listdir(os.fsencode(one))
    capsys.readouterr()
    code = main(["sync", str(one), str(two), "--mode", "bisync", "--json", "--dry-run"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0 and body["planned"] == 0


def test_byte_names_in_the_plan_print_readably_and_json_escapes_them(
    pair: tuple[Path, Path], capsys
) -> None:
    one, two = pair
    (one / BAD).write_bytes(b"z")
    assert main(["sync", str(one), str(two), "--mode", "copy", "--dry-run"]) == 0
    assert "bad_\u201b81.txt" in capsys.readouterr().out
    assert main(["sync", str(one), str(two), "--mode", "copy", "--dry-run", "--json"]) == 0
    out = capsys.readouterr().out
    out.encode("utf-8")  # printable
    assert "bad_\\udc81.txt" in out
    assert main(["sync", str(one), str(two), "--mode", "copy"]) == 0
    assert (two / BAD).read_bytes() == b"z"
