"""Property: two devices that trade their entries for one file end with the same file and the
same conflict copy, whatever the histories (syncoxide/devices/index.py)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from syncoxide.devices.index import Decision, FileEntry, decide, loser_name

DEVICES = ("AAAAAAA", "BBBBBBB", "CCCCCCC")
CONTENTS = ("a" * 64, "b" * 64, "c" * 64)


@st.composite
def entries(draw: st.DrawFn) -> FileEntry:
    version = draw(st.dictionaries(st.sampled_from(DEVICES), st.integers(1, 3), min_size=1))
    deleted = draw(st.booleans())
    blocks = () if deleted else (draw(st.sampled_from(CONTENTS)),)
    modified_by = draw(st.sampled_from(sorted(version)))
    mtime = draw(st.integers(0, 3))
    return FileEntry("x/f.txt", 0 if deleted else 10, mtime, version, blocks, deleted, modified_by)


def outcome(ours: FileEntry, theirs: FileEntry) -> tuple[tuple[str, ...] | None, frozenset[str]]:
    """What this device holds afterwards: the file's blocks (None: deleted), conflict copies."""
    decision = decide(ours, theirs)
    if decision in (Decision.IGNORE, Decision.MERGE):
        main, aside = ours, None
    elif decision is Decision.TAKE:
        main, aside = theirs, None
    elif decision is Decision.CONFLICT_THEIRS_WINS:
        main, aside = theirs, ours
    else:
        main, aside = ours, None if theirs.deleted else theirs
    kept = frozenset({loser_name(aside) + "=" + aside.blocks[0]} if aside else ())
    return (None if main.deleted else main.blocks), kept


TIED_EDITS = (  # same clock, same editor, concurrent histories: once chose by who asked
    FileEntry("x/f.txt", 10, 0, {"AAAAAAA": 1, "BBBBBBB": 1}, (CONTENTS[0],), False, "AAAAAAA"),
    FileEntry("x/f.txt", 10, 0, {"AAAAAAA": 2}, (CONTENTS[1],), False, "AAAAAAA"),
)


@given(entries(), entries())
@example(*TIED_EDITS)
def test_both_devices_end_with_the_same_file_and_the_same_conflict_copy(
    first: FileEntry, second: FileEntry
) -> None:
    if first.version == second.version and not first.same_content(second):
        return  # one history, two contents: cannot happen (a version is one device's one edit)
    assert outcome(first, second) == outcome(second, first)


@given(entries(), entries())
def test_no_content_is_lost_in_a_conflict(first: FileEntry, second: FileEntry) -> None:
    concurrent = decide(first, second) in (
        Decision.CONFLICT_OURS_WINS,
        Decision.CONFLICT_THEIRS_WINS,
    )
    if concurrent:
        main, kept = outcome(first, second)
        held = {main[0]} if main else set()
        held |= {name.rsplit("=", 1)[1] for name in kept}
        wanted = {e.blocks[0] for e in (first, second) if not e.deleted}
        assert wanted <= held
