"""Account shares, addresses and digests keep the same promises on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest

from syncoxide.server.accountshares.store import (
    ACCEPTED,
    INVITED,
    READ_ONLY,
    AccountShare,
    AccountShareStore,
    ShareChange,
)
from syncoxide.server.storage.database import Database
from syncoxide.server.storage.port import DuplicateError
from tests.server.stores.conftest import add_user


def _share(owner: int, recipient: int, **changes: object) -> AccountShare:
    share = AccountShare(
        id=0, owner_id=owner, recipient_id=recipient, source_id=None, source_path="trip",
        name="Trip", access=READ_ONLY, state=INVITED, expires_at=None, created_at=1,
        answered_at=None,
    )  # fmt: skip
    return dataclasses.replace(share, **changes)


def test_addresses_are_unique_whatever_their_case(database: Database) -> None:
    store = AccountShareStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")
    store.set_address(alice, "Alice@Example.org")
    store.set_address(alice, "alice@example.org")  # replaced, not added
    assert store.address_of(alice) == "alice@example.org"
    assert store.user_with_address("ALICE@example.ORG") == alice
    assert store.user_with_address("bob@example.org") is None
    with pytest.raises(DuplicateError):
        store.set_address(bob, "ALICE@EXAMPLE.ORG")


def test_shares_are_seen_by_their_parties_and_fall_due(database: Database) -> None:
    store = AccountShareStore(database)
    alice, bob, eve = (add_user(database, name) for name in ("alice", "bob", "eve"))
    invited = store.add(_share(alice, bob))
    placed = store.add(_share(alice, bob, state=ACCEPTED, placed=True, next_sync_at=50))
    waiting = store.add(
        _share(bob, alice, state=ACCEPTED, placed=True, source_id=7, sync_status="reconnect")
    )
    assert store.get(invited.id) == invited
    assert store.of_party(bob, invited.id) == invited
    assert store.of_party(eve, invited.id) is None
    assert [s.id for s in store.of_user(alice)] == [invited.id, placed.id, waiting.id]
    assert [s.id for s in store.placed_for(bob)] == [placed.id, waiting.id]
    assert [s.id for s in store.due(50)] == [placed.id]
    store.make_due(placed.id, 10)
    assert [s.id for s in store.due(10)] == [placed.id]
    assert store.resume_waiting(bob, None, 5) == 0, "another connection's share resumed"
    assert store.resume_waiting(bob, 7, 5) == 1
    assert [s.id for s in store.due(10)] == [waiting.id, placed.id]
    store.save(dataclasses.replace(placed, sync_status="running"))
    assert store.marked_running() == [placed.id]
    store.interrupted(placed.id)
    again = store.get(placed.id)
    assert again is not None and (again.sync_status, again.next_sync_at) == ("idle", 0)


def test_changes_are_mailed_once_per_digest(database: Database) -> None:
    store = AccountShareStore(database)
    alice, bob = add_user(database, "alice"), add_user(database, "bob")
    share = store.add(_share(alice, bob, state=ACCEPTED))
    for path in ("a.txt", "b.txt"):
        store.add_change(ShareChange(0, share.id, alice, bob, "added", path, 5))
    assert store.digests_due(100) == [(share.id, bob, False)]
    changes = store.unmailed(share.id, bob)
    assert [c.path for c in changes] == ["a.txt", "b.txt"]
    store.mark_mailed(share.id, bob, changes[-1].id)
    store.digest_sent(share.id, bob, 100)
    assert store.mail_state(share.id, bob) == (100, False)
    store.add_change(ShareChange(0, share.id, alice, bob, "changed", "a.txt", 6))
    assert store.digests_due(99) == [], "a digest sooner than its period"
    assert store.digests_due(100) == [(share.id, bob, False)]
    store.unsubscribe(share.id, bob)
    assert store.mail_state(share.id, bob) == (100, True)
    assert store.digests_due(0) == [(share.id, bob, True)]
