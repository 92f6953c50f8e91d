"""Folders out of flat S3 keys (pure: no server)."""

from syncoxide.native.providers.s3.listing import FlatWalk


def test_folders_are_reported_once_and_markers_keep_no_file() -> None:
    walk = FlatWalk(prune=None)
    assert walk.place("a/b/c.txt") == (["a", "a/b"], True)
    assert walk.place("a/b/d.txt") == ([], True)
    assert walk.place("a/empty/.sxdir") == (["a/empty"], False)
    assert walk.place("console/") == (["console"], False)
    assert walk.place("top.txt") == ([], True)


def test_pruned_subtrees_are_skipped_without_losing_earlier_folders() -> None:
    walk = FlatWalk(prune=lambda folder: folder == "a/skip")
    assert walk.place("a/skip/x.txt") == (["a"], False)
    assert walk.place("a/skip/deeper/y.txt") == ([], False)
    assert walk.place("a/keep.txt") == ([], True)


def test_keys_that_cannot_be_paths_are_ignored() -> None:
    assert FlatWalk(prune=None).place("a//b") == ([], False)
