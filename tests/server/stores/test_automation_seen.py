"""What automation polls saw of provider folders, on SQLite and PostgreSQL: a file arrives
once, a changed one again, and a result the server wrote is not taken for an arrival."""

from __future__ import annotations

import asyncio

from syncoxide.automation.handoff_retry import HandoffFailure
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.server.automation.rules import AutomationRule, AutomationRuleStore
from syncoxide.server.automation.seen import SeenStore
from syncoxide.server.rules.store import Connection, RuleStore
from syncoxide.server.storage.database import Database
from tests.server.stores.conftest import add_user, reopened


def _file(path: str, size: int, mtime_ns: int = 5) -> Entry:
    return Entry(path, EntryKind.FILE, size, mtime_ns)


def _rule(database: Database) -> tuple[int, int]:
    alice = add_user(database, "alice")
    connection = asyncio.run(
        RuleStore(database).add_connection(
            Connection(0, alice, "s3", "s3", {}, {}, "ok", "", 1, None)
        )
    )
    planned = AutomationRule(
        id=0, user_id=alice, name="scans", source_kind="connection", source="inbox",
        match_types=[], match_name="", max_bytes=0, output="pdf", options={},
        target_folder="out", combine=False, original="keep", enabled=True, created_at=1,
        connection_id=connection.id,
    )  # fmt: skip
    rule = AutomationRuleStore(database).add(planned)
    return rule.id, connection.id


def test_arrivals_count_once_and_changes_again(database: Database) -> None:
    rule_id, _ = _rule(database)
    seen = SeenStore(database, clock=lambda: 100.0)
    assert seen.watching_since(rule_id) is None and not seen.looked_at(rule_id, "inbox")
    seen.first_look(rule_id, "inbox", [_file("old.jpg", 1)])
    assert seen.looked_at(rule_id, "inbox") and not seen.looked_at(rule_id, "elsewhere")
    assert seen.watching_since(rule_id) == 100.0
    assert not seen.arrived(rule_id, _file("old.jpg", 1)), "a file there before counted"
    assert seen.arrived(rule_id, _file("new.jpg", 2))
    assert not seen.arrived(rule_id, _file("new.jpg", 2)), "one arrival counted twice"
    assert seen.arrived(rule_id, _file("new.jpg", 3)), "a changed file is an arrival again"
    seen.forget_missing(rule_id, {"new.jpg"})
    assert seen.arrived(rule_id, _file("old.jpg", 1)), "a file put back is an arrival"
    seen.first_look(rule_id, "elsewhere", [])  # the rule moved: it looks afresh
    assert seen.looked_at(rule_id, "elsewhere")
    assert seen.arrived(rule_id, _file("new.jpg", 3))


def test_results_we_wrote_are_recognised_until_changed(database: Database) -> None:
    _, connection_id = _rule(database)
    seen = SeenStore(database)
    result = _file("out/scan.pdf", 10)
    assert not seen.is_our_output(connection_id, result.path, result)
    seen.writing_output(connection_id, result.path)
    assert seen.is_our_output(connection_id, result.path, result)  # first listing fixes it
    assert seen.is_our_output(connection_id, result.path, result)
    assert not seen.is_our_output(connection_id, result.path, _file("out/scan.pdf", 11))
    seen.writing_output(connection_id, result.path)  # written again
    assert seen.is_our_output(connection_id, result.path, _file("out/scan.pdf", 11))


def test_waits_outlive_the_handle_until_handed_over(database: Database) -> None:
    rule_id, _ = _rule(database)
    seen = SeenStore(database)
    seen.keep_waits(rule_id, {"a.jpg": ("1:5", 10.5), "b.jpg": ("2:5", 11.0)}, handing=set())
    again = SeenStore(reopened(database))  # as a restarted process
    assert again.waits(rule_id) == {"a.jpg": ("1:5", 10.5), "b.jpg": ("2:5", 11.0)}
    again.keep_waits(rule_id, {"b.jpg": ("3:5", 20.0)}, handing={"a.jpg"})
    assert seen.waits(rule_id) == {"a.jpg": ("1:5", 10.5), "b.jpg": ("3:5", 20.0)}, (
        "a settled file's wait stays until its hand-off"
    )
    with seen.handing_over():
        assert seen.arrived(rule_id, _file("a.jpg", 1))
    assert seen.waits(rule_id) == {"b.jpg": ("3:5", 20.0)}
    seen.keep_waits(rule_id, {}, handing=set())
    assert again.waits(rule_id) == {}


def test_failed_handoffs_are_kept_until_the_file_arrives_or_goes(database: Database) -> None:
    rule_id, _ = _rule(database)
    seen = SeenStore(database)
    seen.keep_waits(rule_id, {"a.jpg": ("1:5", 10.0)}, handing=set())
    failed = HandoffFailure("1:5", 2, 40.5, "the queue refused", given_up=False)
    seen.handoff_failed(rule_id, "a.jpg", failed)
    seen.handoff_failed(rule_id, "b.jpg", HandoffFailure("2:5", 5, 99.0, "no", given_up=True))
    again = SeenStore(reopened(database))  # as a restarted process
    assert again.waits(rule_id) == {}, "a file whose hand-off failed had settled"
    assert again.handoff_failures(rule_id) == {
        "a.jpg": failed,
        "b.jpg": HandoffFailure("2:5", 5, 99.0, "no", given_up=True),
    }
    with seen.handing_over():
        assert seen.arrived(rule_id, _file("a.jpg", 1))
    seen.forget_missing(rule_id, {"a.jpg"})
    assert again.handoff_failures(rule_id) == {}, "handed over, and gone"
