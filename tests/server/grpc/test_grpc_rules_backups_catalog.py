"""Sync rules, backups and the catalog over gRPC against a real server: each call works for its
owner, another account's token sees nothing and reaches nothing, a revoked token is refused and
bad input gets INVALID_ARGUMENT, as through REST."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from syncoxide.server.grpc.v1 import api_pb2 as pb
from syncoxide.server.grpc.v1 import api_pb2_grpc as rpc
from tests.server.grpc.grpc_world import TIMEOUT, GrpcServer, refused, signed, upload

pytestmark = pytest.mark.live  # starts real servers

PASSPHRASE = "correct horse battery"
Code = grpc.StatusCode


@pytest.fixture(scope="module")
def home(server: GrpcServer) -> int:
    """Alice's connection to her own storage on the server, made through REST."""
    with server.rest(server.alice) as rest:
        made = rest.post(
            "/api/v1/connections", json={"name": "home", "kind": "home", "options": {}}
        )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


@pytest.fixture(scope="module")
def revoked(server: GrpcServer) -> str:
    """An API token of alice's that she has revoked."""
    with server.rest(server.alice) as rest:
        made = rest.post("/api/v1/tokens", json={"label": "gone"})
        assert made.status_code == 201, made.text
        gone = made.json()
        assert rest.delete(f"/api/v1/tokens/{gone['record']['id']}").status_code == 204
    return str(gone["token"])


def code_of(call: Callable[..., Any], request: Any, token: str) -> Code:
    return refused(lambda: call(request, metadata=signed(token), timeout=TIMEOUT))


def finished(rules: rpc.SyncRulesStub, token: str, rule_id: int) -> pb.Rule:
    """The rule once its newest run has finished."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rule = rules.GetRule(pb.RuleId(rule_id=rule_id), metadata=signed(token))
        if rule.runs and rule.runs[0].HasField("finished_at"):
            return rule
        time.sleep(0.2)
    raise AssertionError(f"rule {rule_id} did not finish a run in 60 s")


def test_sync_rules_are_made_run_changed_and_deleted_by_their_owner(
    server: GrpcServer, home: int
) -> None:
    rules, files, alice = rpc.SyncRulesStub(server.channel), server.files(), signed(server.alice)
    upload(files, server.alice, "rules-src/a.txt", b"copied by a rule")
    made = rules.CreateRule(
        pb.CreateRuleRequest(
            source_id=home, dest_id=home, source_path="rules-src", dest_path="rules-dst",
            name="mirror", mode="copy", enabled=False,  # runs only when asked: no race
        ),
        metadata=alice,
    )  # fmt: skip
    assert (made.name, made.mode, made.source_path, made.enabled) == (
        "mirror", "copy", "rules-src", False
    )  # fmt: skip
    listed = rules.ListRules(pb.ListRulesRequest(), metadata=alice).rules
    assert [r.id for r in listed] == [made.id]
    assert rules.RunRule(pb.RuleId(rule_id=made.id), metadata=alice).id == made.id
    run = finished(rules, server.alice, made.id).runs[0]
    assert (run.status, run.trigger) == ("ok", "manual"), run.message
    copied = files.StatStorage(pb.PathRequest(path="rules-dst/a.txt"), metadata=alice)
    assert copied.size == len(b"copied by a rule")

    changed = rules.UpdateRule(
        pb.UpdateRuleRequest(rule_id=made.id, name="mirrored", interval_seconds=600),
        metadata=alice,
    )
    assert (changed.name, changed.interval_seconds, changed.mode) == ("mirrored", 600, "copy")
    rules.DeleteRule(pb.RuleId(rule_id=made.id), metadata=alice)
    assert code_of(rules.GetRule, pb.RuleId(rule_id=made.id), server.alice) == Code.NOT_FOUND


def test_sync_rules_refuse_other_accounts_revoked_tokens_and_bad_input(
    server: GrpcServer, home: int, revoked: str
) -> None:
    rules, alice = rpc.SyncRulesStub(server.channel), signed(server.alice)
    mine = rules.CreateRule(
        pb.CreateRuleRequest(
            source_id=home, dest_id=home, source_path="x", dest_path="y", enabled=False
        ),
        metadata=alice,
    )
    bob, rule = server.bob, pb.RuleId(rule_id=mine.id)
    assert list(rules.ListRules(pb.ListRulesRequest(), metadata=signed(bob)).rules) == []
    for call in (rules.GetRule, rules.RunRule, rules.DeleteRule):
        assert code_of(call, rule, bob) == Code.NOT_FOUND
    rename = pb.UpdateRuleRequest(rule_id=mine.id, name="bob's now")
    assert code_of(rules.UpdateRule, rename, bob) == Code.NOT_FOUND
    # bob cannot point a rule of his at alice's connection either
    onto_alice = pb.CreateRuleRequest(source_id=home, dest_id=home)
    assert code_of(rules.CreateRule, onto_alice, bob) == Code.NOT_FOUND
    assert rules.GetRule(rule, metadata=alice).name == mine.name  # untouched

    assert code_of(rules.ListRules, pb.ListRulesRequest(), revoked) == Code.UNAUTHENTICATED
    assert code_of(rules.RunRule, rule, revoked) == Code.UNAUTHENTICATED

    bad = (
        pb.CreateRuleRequest(source_id=home, dest_id=home, mode="sideways"),
        pb.CreateRuleRequest(source_id=0, dest_id=home),
        pb.CreateRuleRequest(source_id=home, dest_id=home, interval_seconds=1),
    )
    for request in bad:
        assert code_of(rules.CreateRule, request, server.alice) == Code.INVALID_ARGUMENT
    too_often = pb.UpdateRuleRequest(rule_id=mine.id, interval_seconds=1)
    assert code_of(rules.UpdateRule, too_often, server.alice) == Code.INVALID_ARGUMENT
    listed = rules.ListRules(pb.ListRulesRequest(), metadata=alice).rules
    assert [r.id for r in listed] == [mine.id]
    rules.DeleteRule(rule, metadata=alice)


@pytest.fixture(scope="module")
def backup_rule(server: GrpcServer, home: int) -> Iterator[dict[str, Any]]:
    """Alice's hosted repository and a backup rule of a folder of her storage into it."""
    if shutil.which("borg") is None:
        pytest.skip("borg is not installed")
    upload(server.files(), server.alice, "to-back-up/notes.txt", b"keep me safe")
    with server.rest(server.alice) as rest:
        repository = rest.post(
            "/api/v1/backups/repositories", json={"name": "vault", "passphrase": PASSPHRASE}
        )
        assert repository.status_code == 201, repository.text
        made = rest.post(
            "/api/v1/backups/rules",
            json={
                "connection_id": home,
                "source_path": "to-back-up",
                "repository_id": repository.json()["id"],
                "schedule": "daily at 03:00",
                "prefix": "notes",
            },
        )
        assert made.status_code == 201, made.text
    yield made.json()


def test_backups_list_repositories_rules_and_archives_and_run_now(
    server: GrpcServer, backup_rule: dict[str, Any]
) -> None:
    backups, alice = rpc.BackupsStub(server.channel), signed(server.alice)
    repositories = backups.ListRepositories(pb.ListBackupsRequest(), metadata=alice).repositories
    assert [(r.id, r.name, r.passphrase_kept) for r in repositories] == [
        (backup_rule["repository_id"], "vault", True)
    ]
    assert "repository_url" in repositories[0].settings
    repository = pb.RepositoryId(repository_id=backup_rule["repository_id"])
    assert list(backups.ListArchives(repository, metadata=alice).archives) == []

    started = backups.RunBackupRule(
        pb.BackupRuleId(backup_rule_id=backup_rule["id"]), metadata=alice
    )
    assert started.id == backup_rule["id"]
    deadline, rule = time.monotonic() + 90, started
    while time.monotonic() < deadline:
        (rule,) = backups.ListBackupRules(pb.ListBackupsRequest(), metadata=alice).rules
        if rule.runs and rule.runs[0].HasField("finished_at"):
            break
        time.sleep(0.3)
    run = rule.runs[0]
    assert (run.status, run.trigger, run.files) == ("ok", "manual", 1), run.message
    archives = backups.ListArchives(repository, metadata=alice)
    assert [a.name for a in archives.archives] == [run.archive]
    assert archives.archives[0].name.startswith("notes-")
    assert archives.encryption == "repokey-blake2"


def test_backups_refuse_other_accounts_revoked_tokens_and_bad_input(
    server: GrpcServer, backup_rule: dict[str, Any], revoked: str
) -> None:
    backups, bob = rpc.BackupsStub(server.channel), server.bob
    everything = pb.ListBackupsRequest()
    assert list(backups.ListRepositories(everything, metadata=signed(bob)).repositories) == []
    assert list(backups.ListBackupRules(everything, metadata=signed(bob)).rules) == []
    alices = pb.RepositoryId(repository_id=backup_rule["repository_id"])
    assert code_of(backups.ListArchives, alices, bob) == Code.NOT_FOUND
    rule = pb.BackupRuleId(backup_rule_id=backup_rule["id"])
    assert code_of(backups.RunBackupRule, rule, bob) == Code.NOT_FOUND

    for call, request in (
        (backups.ListRepositories, everything),
        (backups.ListBackupRules, everything),
        (backups.ListArchives, alices),
        (backups.RunBackupRule, rule),
    ):
        assert code_of(call, request, revoked) == Code.UNAUTHENTICATED
    # a repository whose passphrase the server does not keep cannot be listed: a clear refusal
    with server.rest(server.alice) as rest:
        made = rest.post(
            "/api/v1/backups/repositories",
            json={"name": "unkept", "passphrase": PASSPHRASE, "keep_passphrase": False},
        )
    assert made.status_code == 201, made.text
    unkept = pb.RepositoryId(repository_id=made.json()["id"])
    assert code_of(backups.ListArchives, unkept, server.alice) == Code.INVALID_ARGUMENT


def test_catalog_search_recent_and_starred_show_only_the_callers_files(
    server: GrpcServer, revoked: str
) -> None:
    catalog, alice = rpc.CatalogStub(server.channel), signed(server.alice)
    upload(server.files(), server.alice, "catalog/holiday-plan.txt", b"beach, then hills")
    found = catalog.Search(pb.SearchRequest(q="holiday"), metadata=alice).entries
    assert [(e.path, e.location, e.kind) for e in found] == [
        ("catalog/holiday-plan.txt", "home:catalog/holiday-plan.txt", "file")
    ]
    assert found[0].link == f"/f/{found[0].id}"
    recent = catalog.Recent(pb.PageRequest(limit=50), metadata=alice).entries
    assert "catalog/holiday-plan.txt" in [e.path for e in recent]
    assert all(e.action and e.at > 0 for e in recent)
    assert list(catalog.Starred(pb.PageRequest(), metadata=alice).entries) == []
    with server.rest(server.alice) as rest:
        star = {"location": "home:catalog/holiday-plan.txt", "starred": True}
        assert rest.put("/api/v1/catalog/star", json=star).status_code == 200
    starred = catalog.Starred(pb.PageRequest(), metadata=alice).entries
    assert [e.path for e in starred] == ["catalog/holiday-plan.txt"]

    bob = signed(server.bob)
    assert list(catalog.Search(pb.SearchRequest(q="holiday"), metadata=bob).entries) == []
    assert list(catalog.Recent(pb.PageRequest(), metadata=bob).entries) == []
    assert list(catalog.Starred(pb.PageRequest(), metadata=bob).entries) == []

    search = pb.SearchRequest(q="holiday")
    assert code_of(catalog.Search, search, revoked) == Code.UNAUTHENTICATED
    assert code_of(catalog.Recent, pb.PageRequest(), revoked) == Code.UNAUTHENTICATED
    assert code_of(catalog.Starred, pb.PageRequest(), revoked) == Code.UNAUTHENTICATED
    for call, request in (
        (catalog.Search, pb.SearchRequest(q="holiday", limit=0)),
        (catalog.Recent, pb.PageRequest(limit=1001)),
        (catalog.Starred, pb.PageRequest(limit=-1)),
    ):
        assert code_of(call, request, server.alice) == Code.INVALID_ARGUMENT
