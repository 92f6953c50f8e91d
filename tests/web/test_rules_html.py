"""The app's rule, connection and file HTML, from the API's JSON, without a browser."""

from __future__ import annotations

import pytest
from syncoxide_web.sync import rules_html

from syncoxide.errors import UsageError

RULE = {
    "id": 7,
    "name": "<photos>",
    "source_id": 1,
    "source_path": "pics",
    "dest_id": 2,
    "dest_path": "backup",
    "mode": "copy",
    "interval_seconds": 3600,
    "enabled": True,
    "status": "reconnect",
    "status_message": "Dropbox refused <the token>.",
    "last_run_at": 1000,
    "runs": [
        {
            "status": "ok",
            "trigger": "schedule",
            "started_at": 940,
            "actions": 3,
            "failed": 0,
            "conflicts": 2,
            "message": "3 changes made",
            "details": {
                "failures": [{"side": "path2", "path": "x.txt", "error": "<disk full>"}],
                "conflicts": [
                    {
                        "path": f"c{i}",
                        "winner": "path1",
                        "policy": "newer",
                        "detail": "both changed",
                    }
                    for i in range(12)
                ],
            },
        }
    ],
}


def test_option_lines_are_read_like_the_cli_takes_them() -> None:
    text = "# S3\nbucket = photos\n\nendpoint=http://h:9000/?a=b\n"
    assert rules_html.parse_option_lines(text) == {
        "bucket": "photos",
        "endpoint": "http://h:9000/?a=b",
    }
    with pytest.raises(UsageError, match="Line 2 is not key=value"):
        rules_html.parse_option_lines("bucket=x\nno equals sign")


def test_a_rule_shows_its_places_state_and_runs_escaped() -> None:
    page = rules_html.rules_html([RULE], {1: "nas", 2: "box"}, now=1060)
    assert "&lt;photos&gt;" in page and "<photos>" not in page
    assert "nas:pics → box:backup" in page and "every 1 hour" in page
    assert 'data-status="reconnect"' in page and "reconnect needed" in page
    assert "&lt;the token&gt;" in page and "last run 60 s ago" in page
    assert "3 changes, 2 conflicts" in page and "2 min ago" in page
    assert "failed: x.txt: &lt;disk full&gt;" in page and "conflict: c0: both changed" in page
    assert "conflict: c8:" in page and "conflict: c9:" not in page and "… and 3 more" in page
    watched = rules_html.rules_html([{**RULE, "on_change": True}], {}, now=1060)
    assert "every 1 hour and on change" in watched
    paused = rules_html.rules_html([{**RULE, "enabled": False}], {}, now=1060)
    assert "?:pics" in paused and "paused" in paused and ">Resume<" in paused


def test_schedules_and_times_read_naturally() -> None:
    assert rules_html.every(10) == "every 10 seconds"
    assert rules_html.every(120) == "every 2 minutes"
    assert rules_html.every(86400) == "every 1 day"
    assert rules_html.when(None) == "never"
    assert rules_html.when(4600, now=1000) == "in 60 min"


def test_files_and_listing_errors_are_shown_together() -> None:
    answer = {
        "files": [{"connection": "nas", "path": "a/<b>.txt", "size": 1500, "mtime": 60}],
        "errors": [{"connection_id": 2, "connection": "box", "message": "Reconnect box."}],
        "truncated": True,
    }
    page = rules_html.files_html(answer)
    assert "a/&lt;b&gt;.txt" in page and "1.5 kB" in page and "1970-01-01 00:01" in page
    assert "box: Reconnect box." in page and "narrow the search" in page
    empty = rules_html.files_html({"files": [], "errors": [], "truncated": False})
    assert "No files found" in empty


def test_connections_show_their_state_in_words() -> None:
    listed = [
        {
            "id": 3,
            "name": "nas",
            "kind": "webdav",
            "state": "reconnect",
            "state_message": "Refused.",
        }
    ]
    page = rules_html.connections_html(listed)
    assert 'data-connection-id="3"' in page and "reconnect needed" in page and "Refused." in page
    assert "No provider connected" in rules_html.connections_html([])
    assert rules_html.connection_choices(listed) == '<option value="3">nas (webdav)</option>'


def test_a_held_rule_says_nothing_changed_and_offers_proceed() -> None:
    held = {**RULE, "status": "held", "status_message": "Held, nothing changed: path1 is empty."}
    html = rules_html.rules_html([held], {1: "dbx", 2: "s3"}, now=1000)
    assert "held by a safety stop: nothing was changed" in html
    assert 'data-action="proceed">Proceed</button>' in html
    assert 'data-action="proceed"' not in rules_html.rules_html([RULE], {1: "dbx"}, now=1000)
