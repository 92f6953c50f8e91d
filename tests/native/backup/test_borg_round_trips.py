"""create / list / extract with real borg, and plain borg reading what we made (and back)."""

from __future__ import annotations

from pathlib import Path

from syncoxide.backup import tar_stream
from syncoxide.backup.borg_log import ArchiveProgress, BorgEvent, PercentProgress
from syncoxide.native.backup.process import BorgSettings
from syncoxide.native.backup.repository import BorgRepository, CreateOptions

from .conftest import make_tree, plain_borg, read_tree, run


def test_create_list_extract_round_trip_byte_for_byte(
    tmp_path: Path, repository: BorgRepository
) -> None:
    source = tmp_path / "src"
    tree = make_tree(source)
    (source / "skip.tmp").write_bytes(b"not wanted")
    events: list[BorgEvent] = []
    stats = run(
        repository.create(
            "src-one",
            ["src"],
            CreateOptions(excludes=["*.tmp"]),
            on_event=events.append,
            cwd=tmp_path,
        )
    )
    assert stats.files == len(tree)
    assert 0 <= stats.original_size - sum(map(len, tree.values())) < 4096  # + item metadata
    assert any(isinstance(e, ArchiveProgress) for e in events)
    summary = run(repository.summary())
    assert [a.name for a in summary.archives] == ["src-one"]
    assert summary.encryption == "repokey-blake2"

    async def listing() -> list[str]:
        return [e.path async for e in repository.contents("src-one") if e.kind == "file"]

    assert sorted(listing_paths := run(listing())) == sorted(f"src/{p}" for p in tree)
    assert "src/skip.tmp" not in listing_paths
    extracted: list[BorgEvent] = []
    run(repository.extract("src-one", tmp_path / "out", on_event=extracted.append))
    assert read_tree(tmp_path / "out" / "src") == tree
    assert any(isinstance(e, PercentProgress) and e.operation == "extract" for e in extracted)


def test_a_second_backup_after_one_percent_of_changes_adds_little(
    tmp_path: Path, repository: BorgRepository
) -> None:
    source = tmp_path / "src"
    tree = make_tree(source, files=300)
    first = run(repository.create("src-1", ["src"], cwd=tmp_path))
    changed = sorted(tree)[:3]
    for relative in changed:
        (source / relative).write_bytes(b"changed " + tree[relative][:100])
    second = run(repository.create("src-2", ["src"], cwd=tmp_path))
    assert first.added > 0.9 * first.original_size  # random bytes: little to share
    changed_bytes = sum(len(b"changed ") + 100 for _ in changed)
    # What the second archive stores anew: the changed files plus borg's metadata chunks.
    assert second.added < changed_bytes + 64 * 1024
    assert second.added < first.added / 20


def test_plain_borg_lists_and_extracts_what_we_made(
    tmp_path: Path, repository: BorgRepository, borg_base: Path
) -> None:
    tree = make_tree(tmp_path / "src", files=40)
    run(repository.create("ours", ["src"], cwd=tmp_path))
    listed = plain_borg(borg_base, "list", "--short", f"{repository.location.text}")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [b"ours"]
    out = tmp_path / "plain-out"
    out.mkdir()
    extracted = plain_borg(borg_base, "extract", f"{repository.location.text}::ours", cwd=out)
    assert extracted.returncode == 0, extracted.stderr
    assert read_tree(out / "src") == tree


def test_we_list_and_restore_what_plain_borg_made(tmp_path: Path, settings: BorgSettings) -> None:
    base = settings.base_dir
    assert base is not None
    repo_path = str(tmp_path / "plain-repo")
    made = plain_borg(base, "init", "--encryption", "repokey", repo_path)
    assert made.returncode == 0, made.stderr
    tree = make_tree(tmp_path / "src", files=20)
    created = plain_borg(base, "create", f"{repo_path}::by-hand", "src", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    repository = BorgRepository(repo_path, settings)
    assert [a.name for a in run(repository.summary()).archives] == ["by-hand"]
    run(repository.extract("by-hand", tmp_path / "out", ["src/d1"]))
    assert read_tree(tmp_path / "out" / "src" / "d1") == {
        path.removeprefix("d1/"): content
        for path, content in tree.items()
        if path.startswith("d1/")
    }


def test_single_files_and_tar_streams_come_out_whole(
    tmp_path: Path, repository: BorgRepository
) -> None:
    tree = make_tree(tmp_path / "src", files=10)
    run(repository.create("t", ["src"], cwd=tmp_path))
    name = sorted(tree)[0]

    async def gather(stream: object) -> bytes:
        return b"".join([chunk async for chunk in stream])  # type: ignore[attr-defined]

    assert run(gather(repository.file_bytes("t", f"src/{name}"))) == tree[name]
    tar = run(gather(repository.tar_bytes("t", ["src/d0"])))
    assert len(tar) % 512 == 0
    assert tar[257:262] == b"ustar"


def test_import_tar_from_a_stream_made_on_the_fly(
    tmp_path: Path, repository: BorgRepository
) -> None:
    files = {"photos/a.jpg": b"\xff\xd8" * 40_000, "notes/ü.txt": b"hello", "empty": b""}

    async def stream():  # type: ignore[no-untyped-def]
        for path, content in files.items():
            yield tar_stream.file_header(path, len(content), 1_700_000_000)
            yield content + tar_stream.padding(len(content))
        yield tar_stream.END

    stats = run(repository.import_tar("prov-1", stream()))
    # borg 1.2.4 counts each regular tar member twice in nfiles; sizes are right.
    assert stats.original_size >= sum(map(len, files.values()))
    run(repository.extract("prov-1", tmp_path / "out"))
    assert read_tree(tmp_path / "out") == files
