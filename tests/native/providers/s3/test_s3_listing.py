"""Folders out of flat S3 keys (pure: no server)."""

from hypothesis import given
from hypothesis import strategies as st

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


_segment = st.sampled_from(("a", "b", "skip", "", ".sxdir", "c d"))


@given(st.lists(st.lists(_segment, min_size=1, max_size=4).map("/".join), max_size=30))
def test_keys_sharing_the_last_folder_are_placed_as_a_full_walk_places_them(
    keys: list[str],
) -> None:
    """The shortcut for a key in the previous kept key's folder answers what walking every
    segment answers, in listing (sorted) order and out of it."""
    for order in (sorted(keys), keys):
        quick, full = FlatWalk(lambda f: f.endswith("skip")), FlatWalk(lambda f: f.endswith("skip"))
        for key in order:
            full.open_folder = None  # never the shortcut
            assert quick.place(key) == full.place(key), key
