"""Rename pairing is safe: only equal size and equal digest pair, each file at most once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.listing import Listing
from syncoxide.sync.renames import pair_renames, rename_candidates

_Spec = dict[str, tuple[int, str | None, int]]
_files = st.dictionaries(
    st.text("abcdef", min_size=1, max_size=3),
    st.tuples(st.integers(0, 3), st.sampled_from(["h1", "h2", None]), st.integers(0, 2)),
    max_size=8,
)


def _entries(spec: _Spec) -> dict[str, Entry]:
    return {
        path: Entry(path, EntryKind.FILE, size, mtime, {"sha1": digest} if digest else {})
        for path, (size, digest, mtime) in spec.items()
    }


@given(_files, _files)
def test_pairs_join_only_identical_content_once(source_spec: _Spec, dest_spec: _Spec) -> None:
    source, dest = _entries(source_spec), _entries(dest_spec)
    pairs = pair_renames(source, dest, "sha1")
    assert len(set(pairs.values())) == len(pairs)
    for new, old in pairs.items():
        assert source[new].size == dest[old].size
        assert source[new].hashes["sha1"] == dest[old].hashes["sha1"]


def test_candidates_are_one_sided_files_of_a_shared_size() -> None:
    source = Listing(
        files=_entries({"new": (5, None, 0), "kept": (5, None, 0), "odd": (7, None, 0)})
    )
    dest = Listing(
        files=_entries({"old": (5, None, 0), "kept": (5, None, 0), "void": (0, None, 0)})
    )
    assert rename_candidates(source, dest) == ({"new"}, {"old"})


def test_equal_mtime_wins_among_identical_files() -> None:
    source = _entries({"n": (4, "h1", 2)})
    dest = _entries({"a": (4, "h1", 1), "b": (4, "h1", 2)})
    assert pair_renames(source, dest, "sha1") == {"n": "b"}
