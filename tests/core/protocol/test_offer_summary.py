"""The sender's short summary of a transfer fits the server's limits whatever it is given."""

import json

from syncoxide.protocol.offer_summary import MAX_BYTES, MAX_FOLDERS, MAX_LISTED, summarize


def test_counts_everything_lists_the_first_files_and_every_parent_folder() -> None:
    files = [("Holiday/notes/day 1.txt", 5), ("readme.md", 0)] + [
        (f"many/{i}.bin", 10) for i in range(MAX_LISTED)
    ]
    summary = summarize(files, ["Holiday/empty"])
    assert summary["count"] == MAX_LISTED + 2
    assert summary["bytes"] == 5 + 10 * MAX_LISTED
    assert len(summary["files"]) == MAX_LISTED
    assert summary["files"][0] == {"path": "Holiday/notes/day 1.txt", "size": 5}
    assert summary["folders"] == ["Holiday", "many", "Holiday/empty", "Holiday/notes"]


def test_long_names_list_fewer_files_so_the_body_stays_within_the_limit() -> None:
    files = [(f"{'n' * 1000}/{i:04d}.txt", i) for i in range(MAX_LISTED)]
    folders = [f"{'f' * 1000}{i}" for i in range(2 * MAX_FOLDERS)]
    summary = summarize(files, folders)
    assert len(json.dumps(summary).encode()) <= MAX_BYTES
    assert 0 < len(summary["files"]) < MAX_LISTED
    assert summary["count"] == MAX_LISTED
    assert len(summary["folders"]) <= MAX_FOLDERS


def test_nothing_offered() -> None:
    assert summarize([]) == {"count": 0, "bytes": 0, "files": [], "folders": []}
