"""``listed_file`` builds an ``Entry`` without the frozen dataclass's ``__init__`` (a listing
makes one per file): it must stay the very same entry, field for field, as ``Entry`` grows."""

from dataclasses import fields

import pytest

from syncoxide.providers.contract import Entry, EntryKind, listed_file


@pytest.mark.parametrize("kind", [EntryKind.FILE, EntryKind.PARTIAL])
def test_listed_file_is_the_entry_its_init_makes(kind: EntryKind) -> None:
    when, changed = 1_733_000_000_123_456_789, 1_733_000_001_000_000_007
    fast = listed_file("a/b.bin", kind, 5, when, file_id="64769:12", changed_ns=changed)
    slow = Entry("a/b.bin", kind, 5, when, file_id="64769:12", changed_ns=changed)
    assert vars(fast) == vars(slow)
    assert [f.name for f in fields(Entry)] == list(vars(fast))  # a new field is set here too
    assert fast == slow and hash(fast) == hash(slow)


def test_listed_files_do_not_share_their_digests() -> None:
    one = listed_file("a", EntryKind.FILE, 1, 2, file_id="", changed_ns=0)
    two = listed_file("b", EntryKind.FILE, 1, 2, file_id="", changed_ns=0)
    one.hashes["sha1"] = "00"
    assert two.hashes == {}
