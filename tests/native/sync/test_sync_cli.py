"""The ``syncoxide sync`` / ``syncoxide trash`` commands, in-process, on real folders."""

import json
import os
from pathlib import Path

import pytest

from syncoxide.cli.main import main
from syncoxide.errors import ProviderError
from syncoxide.native.providers.local import provider as local_provider


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("SYNCOXIDE_STATE_DIR", str(tmp_path / "state"))
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "sub").mkdir()
    (one / "sub" / "a.txt").write_text("alpha")
    (one / "b.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    (one / "link").symlink_to("b.bin")
    return one, two


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["sync", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_copy_json_summary_and_nothing_changed(dirs, capsys) -> None:
    one, two = dirs
    code, body = run_json(capsys, str(one), str(two))
    assert code == 0 and body["done"] == {"copy": 2, "mkdir": 1}
    assert body["bytes_copied"] == 3 * 1024 * 1024 + 7 + 5
    assert body["skipped"][0]["path"] == "link" and "symlink" in body["skipped"][0]["reason"]
    assert (two / "b.bin").read_bytes() == (one / "b.bin").read_bytes()
    assert not (two / "link").exists()
    code, body = run_json(capsys, str(one), str(two))
    assert code == 0 and body["planned"] == 0


def test_dry_run_prints_the_plan(dirs, capsys) -> None:
    one, two = dirs
    assert main(["sync", str(one), str(two), "--mode", "sync", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "copy   path1 -> path2: sub/a.txt (new)" in out and "would do" in out
    assert list(two.iterdir()) == []


def test_usage_errors_exit_2(dirs, capsys) -> None:
    one, two = dirs
    assert main(["sync", str(one), str(two), "--transfers", "0"]) == 2
    assert main(["sync", str(one), str(one)]) == 2
    assert main(["sync", str(one), str(two / "no" / "such")]) == 2  # its parent is missing too
    assert main(["sync", str(one / "missing"), str(two / "made")]) == 2
    assert main(["sync", str(one), str(two), "--exclude", "[x"]) == 2
    assert list(two.iterdir()) == []


def test_a_missing_destination_is_made_when_its_parent_exists(dirs, capsys) -> None:
    one, two = dirs
    code, body = run_json(capsys, str(one), str(two / "backup"))
    assert code == 0 and body["done"] == {"copy": 2, "mkdir": 1}
    assert (two / "backup" / "sub" / "a.txt").read_text() == "alpha"


def test_a_dry_run_to_a_missing_destination_shows_everything_and_makes_nothing(
    dirs, capsys
) -> None:
    one, two = dirs
    assert main(["sync", str(one), str(two / "backup"), "--dry-run"]) == 0
    assert "copy   path1 -> path2: sub/a.txt (new)" in capsys.readouterr().out
    assert list(two.iterdir()) == []


def test_a_destination_that_is_a_file_is_refused_and_kept(dirs, capsys) -> None:
    one, two = dirs
    (two / "taken").write_text("keep me")
    assert main(["sync", str(one), str(two / "taken")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert (two / "taken").read_text() == "keep me"


def test_max_delete_exit_3_and_nothing_changed(dirs, capsys) -> None:
    one, two = dirs
    for i in range(4):
        (two / f"old{i}").write_text("x")
    assert main(["sync", str(one), str(two), "--mode", "sync", "--max-delete", "2"]) == 3
    assert "Nothing was changed" in capsys.readouterr().err
    assert len(list(two.iterdir())) == 4


def test_partial_failure_exit_1(dirs, capsys, monkeypatch) -> None:
    one, two = dirs
    real_write = local_provider.LocalProvider.write

    async def failing(self, path, chunks, **kw):
        if path == "sub/a.txt":
            raise ProviderError("disk said no")
        return await real_write(self, path, chunks, **kw)

    monkeypatch.setattr(local_provider.LocalProvider, "write", failing)
    code, body = run_json(capsys, str(one), str(two))
    assert code == 1 and body["failures"][0]["path"] == "sub/a.txt"
    assert (two / "b.bin").exists()


def test_bisync_trash_list_and_restore(dirs, capsys) -> None:
    one, two = dirs
    assert main(["sync", str(one), str(two), "--mode", "bisync"]) == 0
    (two / "sub" / "a.txt").unlink()
    assert main(["sync", str(one), str(two), "--mode", "bisync"]) == 0
    assert not (one / "sub" / "a.txt").exists()
    capsys.readouterr()
    assert main(["trash", "list", str(one), str(two), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [i["path"] for i in items] == ["sub/a.txt"] and items[0]["side"] == "path1"
    assert main(["trash", "restore", str(one), str(two), items[0]["id"]]) == 0
    assert main(["sync", str(one), str(two), "--mode", "bisync"]) == 0
    assert (two / "sub" / "a.txt").read_text() == "alpha"


def test_keep_both_on_disk(dirs, capsys) -> None:
    one, two = dirs
    assert main(["sync", str(one), str(two), "--mode", "bisync"]) == 0
    (one / "sub" / "a.txt").write_text("one's edit")
    (two / "sub" / "a.txt").write_text("two's edit!")
    os.utime(two / "sub" / "a.txt", (2e9, 2e9))
    capsys.readouterr()
    code, body = run_json(capsys, str(one), str(two), "--mode", "bisync", "--conflict", "keep-both")
    assert code == 0 and body["conflicts"][0]["policy"] == "keep-both"
    names = sorted(p.name for p in (one / "sub").iterdir())
    assert names == sorted(p.name for p in (two / "sub").iterdir())
    loser = [n for n in names if ".conflict-" in n]
    assert len(loser) == 1 and loser[0].endswith("-path1.txt")
    assert (two / "sub" / loser[0]).read_text() == "one's edit"
    assert (one / "sub" / "a.txt").read_text() == "two's edit!"


def test_a_second_run_on_the_same_pair_is_refused(dirs, capsys, tmp_path) -> None:
    from syncoxide.engine.run import pair_id
    from syncoxide.native.local.pair_store import FilePairStore
    from syncoxide.native.providers.local.provider import LocalProvider

    one, two = dirs
    pair = pair_id(LocalProvider(one), LocalProvider(two))
    holder = FilePairStore(tmp_path / "state" / "pairs" / pair)
    holder.lock()
    try:
        assert main(["sync", str(one), str(two)]) == 4
        assert "Another syncoxide run" in capsys.readouterr().err
        assert list(two.iterdir()) == []
    finally:
        holder.unlock()
    assert main(["sync", str(one), str(two)]) == 0


def test_bisync_carries_a_renamed_folder_as_moves_on_real_folders(dirs, capsys) -> None:
    one, two = dirs
    assert main(["sync", str(one), str(two), "--mode", "bisync"]) == 0
    capsys.readouterr()
    inode = (two / "sub" / "a.txt").stat().st_ino
    (one / "sub").rename(one / "moved")
    code, body = run_json(capsys, str(one), str(two), "--mode", "bisync")
    assert code == 0 and body["done"].get("rename") == 1 and body["bytes_copied"] == 0
    assert (two / "moved" / "a.txt").read_text() == "alpha" and not (two / "sub").exists()
    assert (two / "moved" / "a.txt").stat().st_ino == inode  # moved, not copied again
    code, body = run_json(capsys, str(one), str(two), "--mode", "bisync")
    assert code == 0 and not body["done"]
