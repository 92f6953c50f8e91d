"""Connections, sync rules, backups and automation rules keep the same promises on SQLite and
on PostgreSQL: ids, JSON and flags round-trip, due rules come oldest first, names are unique
per user, and a cut run is marked interrupted."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from syncoxide.server.automation.rules import POLLED_KINDS, AutomationRule, AutomationRuleStore
from syncoxide.server.backups.store import (
    BackupKey,
    BackupRepository,
    BackupRestore,
    BackupRule,
    BackupRun,
    BackupStore,
    KeyInUseError,
)
from syncoxide.server.rules.store import Connection, NameTakenError, Rule, RuleRun, RuleStore
from syncoxide.server.storage.database import Database
from tests.server.stores.conftest import add_user


def _connection(user_id: int, name: str) -> Connection:
    return Connection(0, user_id, name, "s3", {"bucket": "b"}, {"key": "sealed"}, "ok", "", 1, None)


def _rule(user_id: int, source: int, dest: int, **changes: object) -> Rule:
    rule = Rule(
        id=0, user_id=user_id, name="mirror", source_id=source, source_path="in", dest_id=dest,
        dest_path="out", mode="sync", conflict="newer", interval_seconds=60, enabled=True,
        status="idle", status_message="", next_run_at=100, last_run_at=None, created_at=1,
    )  # fmt: skip
    return dataclasses.replace(rule, **changes)


def test_connections_rules_and_runs(database: Database) -> None:
    store = RuleStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")

    async def body() -> None:
        s3 = await store.add_connection(_connection(alice, "s3"))
        dav = await store.add_connection(_connection(alice, "dav"))
        await store.add_connection(_connection(bob, "s3"))  # names are unique per user
        with pytest.raises(NameTakenError):
            await store.add_connection(_connection(alice, "s3"))
        assert await store.connection(alice, s3.id) == s3
        assert await store.connection(bob, s3.id) is None
        assert [c.name for c in await store.connections(alice)] == ["dav", "s3"]
        late = await store.add_rule(_rule(alice, s3.id, dav.id, next_run_at=300))
        early = await store.add_rule(_rule(alice, dav.id, s3.id, next_run_at=200, on_change=True))
        await store.add_rule(_rule(alice, s3.id, dav.id, enabled=False, next_run_at=0))
        await store.add_rule(_rule(alice, s3.id, dav.id, status="held", next_run_at=0))
        assert [r.id for r in await store.due_rules(300)] == [early.id, late.id]
        assert [r.id for r in await store.watched_rules()] == [early.id]
        await store.make_due(late.id, 150)
        assert [r.id for r in await store.due_rules(150)] == [late.id]
        run = await store.add_run(
            RuleRun(0, late.id, "manual", "running", 5, None, 0, 0, 0, 0, "", {"plan": [1, 2]})
        )
        await store.set_rule_status(late.id, "running", "")
        assert await store.rules_marked_running() == [late.id]
        assert await store.interrupted_at_start(9) == 1
        [cut] = await store.runs(late.id, 5)
        assert (cut.id, cut.status, cut.finished_at, cut.details) == (
            run.id,
            "interrupted",
            9,
            {"plan": [1, 2]},
        )
        assert len(await store.rules_using(s3.id)) == 4
        assert await store.delete_rule(alice, early.id)
        assert not await store.delete_rule(bob, late.id)
        assert await store.delete_connection(alice, s3.id)
        assert [r.id for r in await store.rules(alice)] == [], "rules went with their connection"

    asyncio.run(body())


def test_backup_keys_repositories_rules_and_restores(database: Database) -> None:
    store = BackupStore(database)
    rules = RuleStore(database)
    alice = add_user(database, "alice")

    async def body() -> None:
        key = await store.add_key(BackupKey(0, alice, "laptop", "ssh-ed25519 AAAA", True, "", 1))
        with pytest.raises(KeyInUseError):
            await store.add_key(BackupKey(0, alice, "again", "ssh-ed25519 AAAA", False, "", 2))
        assert await store.all_keys() == [key] and key.append_only
        repo = await store.add_repository(BackupRepository(0, alice, "photos", "repokey", "", 1))
        assert await store.repository_named(alice, "photos") == repo
        source = await rules.add_connection(_connection(alice, "s3"))
        planned = BackupRule(
            id=0, user_id=alice, name="nightly", connection_id=source.id, source_path="",
            repository_id=repo.id, prefix="n", schedule="daily at 02:30",
            retention={"keep_daily": 7}, enabled=True, status="idle", status_message="",
            next_run_at=50, last_run_at=None, created_at=1,
        )  # fmt: skip
        rule = await store.add_rule(planned)
        assert await store.due_rules(50) == [rule] and rule.retention == {"keep_daily": 7}
        await store.add_run(BackupRun(0, rule.id, "manual", "running", 5, None, "", 0, 0, 0, ""))
        restore = await store.add_restore(
            BackupRestore(0, alice, repo.id, "n-1", "", source.id, "back", "running", 0, 0, "", 3,
                          None)
        )  # fmt: skip
        await store.save_rule(dataclasses.replace(rule, status="running"))
        assert await store.marked_running(started_before=4) == ([rule.id], [restore.id])
        assert await store.interrupted_at_start(60) == 1
        [run] = await store.rule_runs(rule.id, 3)
        assert run.status == "interrupted"
        [after] = await store.user_restores(alice, 3)
        assert (after.status, after.finished_at) == ("interrupted", 60)

    asyncio.run(body())


def test_automation_rules(database: Database) -> None:
    store = AutomationRuleStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")
    rule = AutomationRule(
        id=0, user_id=alice, name="scans", source_kind="folder", source="inbox",
        match_types=["image"], match_name="scan*", max_bytes=0, output="pdf",
        options={"quality": 80}, target_folder="out", combine=True, original="keep",
        enabled=True, created_at=1,
    )  # fmt: skip
    added = store.add(rule)
    store.add(dataclasses.replace(rule, enabled=False))
    assert store.get(alice, added.id) == added and added.options == {"quality": 80}
    assert store.get(bob, added.id) is None
    assert [r.id for r in store.watching("folder", alice)] == [added.id]
    assert len(store.of_user(alice)) == 2
    polled = store.add(dataclasses.replace(rule, source_kind=POLLED_KINDS[0], source="nas"))
    store.add(dataclasses.replace(rule, source_kind=POLLED_KINDS[0], enabled=False))
    assert [r.id for r in store.polled()] == [polled.id]  # enabled ones on connections, shares
    assert store.remove(alice, added.id) and not store.remove(alice, added.id)
