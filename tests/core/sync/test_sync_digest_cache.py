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

VECTOR = (
    b'{"format":"syncoxide-digest-cache","version":1,"root":"' + ROOT.encode() + b'",'
    b'"files":[["d/a",10,5,"e1",{"sha1":"' + SHA_A.encode() + b'"}]]}'
)


def test_format_vector() -> None:
    assert encode_cache(_cache(d_a=KNOWN_A)) == VECTOR
    assert decode_cache(VECTOR, ROOT) == _cache(d_a=KNOWN_A)


def test_unreadable_or_foreign_blobs_read_as_empty() -> None:
    for blob in (
        None,
        b"",
        b"\xff",
        b"[]",
        b"{}",
        VECTOR.replace(b'"version":1', b'"version":9'),
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


def _copy(path: str, written: Entry | None, *, hashed: bool = True) -> Done:
    action = Action(ActionKind.COPY, Side.PATH2, path, "new", source_path=path, key=path)
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
