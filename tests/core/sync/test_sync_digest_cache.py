"""Remembered destination digests: recalled only for a file unchanged since, kept up to date by
what a run did, and read back from a fixed format (a known-answer vector pins it)."""

from __future__ import annotations

import random

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.digest_cache import (
    DigestCache,
    Done,
    Remembered,
    cache_after,
    decode_cache,
    encode_cache,
    source_digests,
)
from syncoxide.sync.plan import Action, ActionKind, Side

ROOT = "s3:http://127.0.0.1:9000/bucket/root/"
SHA_A = "a" * 40
SHA_B = "b" * 40


def _file(path: str, size: int = 10, mtime: int = 5, etag: str = "e1", **hashes: str) -> Entry:
    return Entry(path, EntryKind.FILE, size, mtime, dict(hashes), etag=etag)


def _cache(**files: Remembered) -> DigestCache:
    return DigestCache(ROOT, {path.replace("_", "/"): known for path, known in files.items()})


KNOWN_A = Remembered(10, 5, "e1", {"sha1": SHA_A})

CTIME = 1_700_000_100_987_654_321
VECTOR = (
    b'{"format":"syncoxide-digest-cache","version":3,"root":"' + ROOT.encode() + b'",'
    b'"files":[["d/a",10,5,"e1",{"sha1":"'
    + SHA_A.encode()
    + b'"},"2049:77",'
    + str(CTIME).encode()
    + b"]]}"
)
#: Written before records kept the source's ctime: still read, with none (0).
VECTOR_V2 = (
    b'{"format":"syncoxide-digest-cache","version":2,"root":"' + ROOT.encode() + b'",'
    b'"files":[["d/a",10,5,"e1",{"sha1":"' + SHA_A.encode() + b'"},"2049:77"]]}'
)
#: Written before records kept the source's file id: still read, with none.
VECTOR_V1 = (
    b'{"format":"syncoxide-digest-cache","version":1,"root":"' + ROOT.encode() + b'",'
    b'"files":[["d/a",10,5,"e1",{"sha1":"' + SHA_A.encode() + b'"}]]}'
)
KNOWN_A_FROM = Remembered(10, 5, "e1", {"sha1": SHA_A}, "2049:77", CTIME)
#: A record whose mtime has a fraction of a second, as most files' do.
FINE = 1_700_000_000_123_456_789
KNOWN_FINE = Remembered(10, FINE, "e1", {"sha1": SHA_A}, "2049:77", CTIME)


def test_format_vector() -> None:
    assert encode_cache(_cache(d_a=KNOWN_A_FROM)) == VECTOR
    assert decode_cache(VECTOR, ROOT) == _cache(d_a=KNOWN_A_FROM)
    assert decode_cache(VECTOR_V2, ROOT) == _cache(d_a=KNOWN_A_FROM._replace(source_changed_ns=0))
    assert decode_cache(VECTOR_V1, ROOT) == _cache(d_a=KNOWN_A)
    assert decode_cache(VECTOR.replace(b'77",', b'77","x'), ROOT).files == {}  # not an int


def test_unreadable_or_foreign_blobs_read_as_empty() -> None:
    for blob in (
        None,
        b"",
        b"\xff",
        b"[]",
        b"{}",
        VECTOR.replace(b'"version":3', b'"version":9'),
        b'{"x":1',
    ):
        assert decode_cache(blob, ROOT).files == {}
    assert decode_cache(VECTOR, "sftp:other/").files == {}
    bad_row = VECTOR.replace(b'"e1",', b"")
    assert decode_cache(bad_row, ROOT).files == {}


def test_recall_needs_the_same_size_mtime_and_etag() -> None:
    cache = _cache(d_a=KNOWN_A)
    assert cache.recall(_file("d/a")) == {"sha1": SHA_A}
    assert cache.recall(_file("d/a", size=11)) == {}
    assert cache.recall(_file("d/a", mtime=6)) == {}
    assert cache.recall(_file("d/a", etag="e2")) == {}  # rewritten, same size and time
    assert cache.recall(_file("d/b")) == {}
    assert cache.kinds() == {"sha1"}
    with_md5 = DigestCache(ROOT, {"d/a": Remembered(10, 5, "m5-2", {"sha1": SHA_A, "md5": "m5"})})
    assert with_md5.recall(_file("d/a", etag="m5")) == with_md5.files["d/a"].hashes
    assert with_md5.recall(_file("d/a", etag="m6")) == {}
    assert with_md5.recall(_file("d/a", etag="")) == {}


def test_recall_never_vouches_for_a_changed_file() -> None:
    rng = random.Random(2612)
    for _ in range(300):
        known = Remembered(rng.randint(0, 2), rng.randint(0, 2), rng.choice("xy"), {"sha1": "h"})
        entry = _file("p", rng.randint(0, 2), rng.randint(0, 2), rng.choice("xy"))
        same = (entry.size, entry.mtime_ns, entry.etag) == (known.size, known.mtime_ns, known.etag)
        assert bool(DigestCache(ROOT, {"p": known}).recall(entry)) == same


def _copy(
    path: str,
    written: Entry | None,
    *,
    hashed: bool = True,
    source_id: str = "",
    changed: int = 0,
) -> Done:
    source = Entry(path, EntryKind.FILE, 10, 5, file_id=source_id, changed_ns=changed)
    action = Action(
        ActionKind.COPY, Side.PATH2, path, "new", source_path=path, source=source, key=path
    )
    return Done(action, written, hashed_in_transit=hashed)


def _rename(old: str, new: str) -> Done:
    action = Action(ActionKind.RENAME, Side.PATH2, new, "renamed", source_path=old, key=new)
    return Done(action, None, hashed_in_transit=False)


def _delete(path: str) -> Done:
    action = Action(ActionKind.DELETE, Side.PATH2, path, "gone", key=path)
    return Done(action, None, hashed_in_transit=False)


def test_a_copy_records_what_it_hashed() -> None:
    written = _file("d/b", size=3, mtime=7, etag="e9", sha1=SHA_B, md5="m")
    after = cache_after(DigestCache(ROOT), [], [_copy("d/b", written)])
    assert after.files == {"d/b": Remembered(3, 7, "e9", {"sha1": SHA_B, "md5": "m"})}
    untrusted = cache_after(DigestCache(ROOT), [], [_copy("d/b", written, hashed=False)])
    assert untrusted.files == {}


def test_stale_records_are_dropped_and_unchanged_ones_kept() -> None:
    old = _cache(d_a=KNOWN_A, d_b=Remembered(10, 5, "e1", {"sha1": SHA_B}), d_c=KNOWN_A)
    listed = [_file("d/a"), _file("d/b", etag="e2")]  # d/b rewritten, d/c gone
    assert cache_after(old, listed, []).files == {"d/a": KNOWN_A}


def test_moves_carry_the_record_through_a_parked_name_and_deletes_drop_it() -> None:
    old = _cache(d_a=KNOWN_A, d_b=Remembered(10, 6, "e1", {"sha1": SHA_B}))
    listed = [_file("d/a"), _file("d/b", mtime=6)]
    swap = [
        _rename("d/a", "d/.sxpart-park-x"),
        _rename("d/b", "d/a"),
        _rename("d/.sxpart-park-x", "d/b"),
    ]
    after = cache_after(old, listed, swap)
    assert after.files == {"d/a": old.files["d/b"], "d/b": KNOWN_A}
    assert cache_after(old, listed, [_delete("d/a")]).files == {"d/b": old.files["d/b"]}


def test_a_time_fix_keeps_the_digests_only_when_they_agree() -> None:
    old = _cache(d_a=KNOWN_A)
    retimed = _file("d/a", mtime=9, sha1=SHA_A)
    kept = cache_after(old, [_file("d/a")], [_copy("d/a", retimed, hashed=False)])
    assert kept.files == {"d/a": Remembered(10, 9, "e1", {"sha1": SHA_A})}
    other = _file("d/a", mtime=9, sha1=SHA_B)
    assert cache_after(old, [_file("d/a")], [_copy("d/a", other, hashed=False)]).files == {}
    bare = _file("d/a", mtime=9)
    assert cache_after(old, [_file("d/a")], [_copy("d/a", bare, hashed=False)]).files == {}


def test_source_side_actions_change_nothing() -> None:
    old = _cache(d_a=KNOWN_A)
    action = Action(ActionKind.DELETE, Side.PATH1, "d/a", "moved", key="d/a")
    after = cache_after(old, [_file("d/a")], [Done(action, None, hashed_in_transit=False)])
    assert after.files == {"d/a": KNOWN_A}


def test_a_copy_records_its_source_file_id() -> None:
    written = _file("d/a", sha1=SHA_A)
    copy = _copy("d/a", written, source_id="2049:77", changed=CTIME)
    after = cache_after(DigestCache(ROOT), [], [copy])
    assert after.files == {"d/a": KNOWN_A_FROM}


def _source(
    path: str, file_id: str, size: int = 10, mtime: int = FINE, changed: int = CTIME
) -> Entry:
    return Entry(path, EntryKind.FILE, size, mtime, file_id=file_id, changed_ns=changed)


def test_a_renamed_source_file_takes_its_copy_s_digests_by_file_id() -> None:
    cache = _cache(d_a=KNOWN_FINE)
    gone = {"d/a": _file("d/a", mtime=FINE)}
    assert source_digests(cache, {"d/z": _source("d/z", "2049:77")}, gone) == {
        "d/z": {"sha1": SHA_A}
    }
    for stranger in (
        _source("d/z", "2049:78"),  # another file
        _source("d/z", ""),  # a source without file ids
        _source("d/z", "2049:77", mtime=FINE + 1),  # the same file, edited since
        _source("d/z", "2049:77", size=11),
        # Rewritten to the same size with the old mtime set back: only the ctime tells.
        _source("d/z", "2049:77", changed=CTIME + 1),
    ):
        assert source_digests(cache, {"d/z": stranger}, gone) == {}
    # The destination copy changed since it was recorded: its record vouches for nothing.
    changed = {"d/a": _file("d/a", mtime=FINE, etag="e2")}
    assert source_digests(cache, {"d/z": _source("d/z", "2049:77")}, changed) == {}
    # A record without a source id (version 1, or a source without ids) pairs nothing.
    assert source_digests(_cache(d_a=KNOWN_A), {"d/z": _source("d/z", "")}, gone) == {}
    # Nor does one without the source's ctime (version 2) for a file that has one.
    unknown = _cache(d_a=KNOWN_FINE._replace(source_changed_ns=0))
    assert source_digests(unknown, {"d/z": _source("d/z", "2049:77")}, gone) == {}


def test_a_whole_second_mtime_is_not_enough_to_trust_a_file_id() -> None:
    """A reused inode with a time set by an archive or a copy tool: read it instead."""
    whole = FINE - FINE % 10**9
    cache = _cache(d_a=Remembered(10, whole, "e1", {"sha1": SHA_A}, "2049:77", CTIME))
    gone = {"d/a": _file("d/a", mtime=whole)}
    assert source_digests(cache, {"d/z": _source("d/z", "2049:77", mtime=whole)}, gone) == {}


def test_small_files_get_no_new_record_under_a_floor() -> None:
    big, small = _file("d/b", size=2000, sha1=SHA_B), _file("d/s", size=10, sha1=SHA_A)
    old = _cache(d_a=KNOWN_A)  # 10 bytes: an earlier record, dropped under the floor too
    after = cache_after(
        old, [_file("d/a")], [_copy("d/b", big), _copy("d/s", small)], min_size=1000
    )
    assert after.files.keys() == {"d/b"}
