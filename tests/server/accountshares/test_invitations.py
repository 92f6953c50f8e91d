"""Account-to-account invitations through the API: invite by name or address, accept,
decline, revoke, leave; the other party is told live and by mail (a real SMTP server on
loopback); a third account sees nothing; bad input is refused and changes nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.accountshares.shares_world import World, shares_world
from tests.server.mail.smtp_world import Inbox, smtp_server

BASE = "/api/v1/account-shares"


@pytest.fixture()
def inbox() -> Iterator[Inbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture()
def world(tmp_path: Path, inbox: Inbox) -> Iterator[World]:
    with shares_world(tmp_path / "data", inbox.settings()) as made:
        yield made


def _invite(world: World, to: str = "bob", place: str = "home:trip", **extra: object) -> dict:
    made = world["alice"].post(BASE, json={"to": to, "place": place, **extra})
    assert made.status_code == 201, made.text
    return dict(made.json())


@pytest.mark.both_databases
def test_an_invitation_reaches_the_recipient_live_and_by_mail(world: World, inbox: Inbox) -> None:
    share = _invite(world, to="BOB@example.org", read_only=True)
    assert share["role"] == "owner" and share["place"] == "home:trip"
    assert (share["recipient"], share["access"], share["state"]) == ("bob", "read-only", "invited")
    [seen] = world["bob"].get(BASE).json()["shares"]
    assert seen["role"] == "recipient" and seen["owner"] == "alice" and seen["name"] == "trip"
    assert seen["place"] is None  # the owner's provider and path are the owner's business
    [event] = world["bob"].events("share.invited")
    assert event == {
        "share_id": share["id"],
        "from": "alice",
        "name": "trip",
        "access": "read-only",
    }
    [message] = inbox.wait(1)
    assert message["To"] == "bob@example.org"
    assert message["Subject"] == "alice shared 'trip' with you"
    assert f"syncoxide shares accept {share['id']}" in message.get_content()
    assert "http://testserver/#/shares" in message.get_content().splitlines()


def test_the_owner_is_told_of_each_answer(world: World, inbox: Inbox) -> None:
    declined = _invite(world)
    answer = world["bob"].post(f"{BASE}/{declined['id']}/decline")
    assert answer.status_code == 200 and answer.json()["state"] == "declined"
    accepted = _invite(world, place="home:other")
    answer = world["bob"].post(f"{BASE}/{accepted['id']}/accept", json={"place": "home:in/a"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["place"] == "home:in/a" and answer.json()["state"] == "accepted"
    left = world["bob"].post(f"{BASE}/{accepted['id']}/leave")
    assert left.json()["state"] == "left"
    told = [(e["share_id"], e["by"]) for e in world["alice"].events("share.declined")]
    assert told == [(declined["id"], "bob")]
    assert [e["share_id"] for e in world["alice"].events("share.accepted")] == [accepted["id"]]
    assert [e["share_id"] for e in world["alice"].events("share.left")] == [accepted["id"]]
    subjects = [m["Subject"] for m in inbox.wait(5) if m["To"] == "alice@example.org"]
    assert subjects == ["bob declined 'trip'", "bob accepted 'other'", "bob left 'other'"]


@pytest.mark.both_databases
def test_a_third_account_sees_and_touches_nothing(world: World) -> None:
    share = _invite(world)
    carol = world["carol"]
    assert carol.get(BASE).json() == {"shares": []}
    for method, tail in (("GET", ""), ("POST", "/accept"), ("POST", "/decline"),
                         ("POST", "/revoke"), ("POST", "/leave"), ("POST", "/sync")):  # fmt: skip
        answer = carol.call(method, f"{BASE}/{share['id']}{tail}", json={})
        assert answer.status_code == 404, (tail, answer.text)
    assert world["bob"].share(share["id"])["state"] == "invited"


def test_each_party_may_only_take_its_own_steps(world: World) -> None:
    share = _invite(world)
    assert world["alice"].post(f"{BASE}/{share['id']}/accept", json={}).status_code == 403
    assert world["bob"].post(f"{BASE}/{share['id']}/revoke").status_code == 403
    assert world["bob"].share(share["id"])["state"] == "invited"


def test_accepting_a_revoked_invitation_is_refused(world: World) -> None:
    share = _invite(world)
    revoked = world["alice"].post(f"{BASE}/{share['id']}/revoke")
    assert revoked.json()["state"] == "revoked"
    assert [e["share_id"] for e in world["bob"].events("share.revoked")] == [share["id"]]
    answer = world["bob"].post(f"{BASE}/{share['id']}/accept", json={})
    assert answer.status_code == 410
    assert "withdrew" in answer.json()["message"]
    assert world["bob"].share(share["id"])["state"] == "revoked"


def test_an_expired_invitation_cannot_be_accepted(world: World) -> None:
    share = _invite(world, expires_in=60)
    store = world.app.state.account_shares.store
    from dataclasses import replace

    store.save(replace(store.get(share["id"]), expires_at=1))
    answer = world["bob"].post(f"{BASE}/{share['id']}/accept", json={})
    assert answer.status_code == 410 and "expired" in answer.json()["message"]


@pytest.mark.parametrize(
    ("to", "place", "status", "words"),
    [
        ("alice", "home:trip", 400, "yourself"),
        ("alice@example.org", "home:trip", 400, "yourself"),
        ("nobody", "home:trip", 404, "No account"),
        ("nobody@example.org", "home:trip", 404, "No account"),
        ("bob@bad", "home:trip", 400, "not an email address"),
        ("bob", "nas:trip", 404, "no provider named 'nas'"),
        ("bob", "home:../etc", 400, "not a plain path"),
        ("bob", "trip", 400, "names no provider"),
    ],
)
def test_bad_invitations_are_refused_and_nothing_is_stored(
    world: World, to: str, place: str, status: int, words: str
) -> None:
    answer = world["alice"].post(BASE, json={"to": to, "place": place})
    assert answer.status_code == status, answer.text
    assert words in answer.json()["message"]
    assert world["alice"].get(BASE).json() == {"shares": []}
    assert world["bob"].events("share.invited") == []


def test_a_share_cannot_land_inside_another_shares_place(world: World) -> None:
    first = _invite(world, place="home:one")
    ok = world["bob"].post(f"{BASE}/{first['id']}/accept", json={"place": "home:in"})
    assert ok.status_code == 200, ok.text
    second = _invite(world, place="home:two")
    nested = world["bob"].post(f"{BASE}/{second['id']}/accept", json={"place": "home:in/deeper"})
    assert nested.status_code == 400 and "overlaps" in nested.json()["message"]
    assert world["bob"].share(second["id"])["state"] == "invited"
    # Bob sharing his copy back to alice, into the folder it came from, would loop.
    back = world["bob"].post(BASE, json={"to": "alice", "place": "home:in"}).json()
    loop = world["alice"].post(f"{BASE}/{back['id']}/accept", json={"place": "home:one/back"})
    assert loop.status_code == 400 and "overlaps" in loop.json()["message"]


def test_a_read_only_recipient_cannot_write_its_copy_through_the_api(world: World) -> None:
    share = _invite(world, read_only=True)
    assert (
        world["bob"].post(f"{BASE}/{share['id']}/accept", json={"place": "home:in/ro"}).is_success
    )
    bob = world["bob"]
    storage = "/api/v1/storage"
    refused = [
        bob.call("PUT", f"{storage}/content", params={"path": "in/ro/x.txt"}, content=b"x"),
        bob.call("DELETE", storage, params={"path": "in", "recursive": "true"}),
        bob.post(f"{storage}/move", json={"source": "in/ro", "target": "mine"}),
        bob.post(f"{storage}/folders", json={"path": "in/ro/new"}),
    ]
    for answer in refused:
        assert answer.status_code == 403, answer.text
        assert "read-only" in answer.json()["message"]
    elsewhere = bob.call("PUT", f"{storage}/content", params={"path": "in/mine.txt"}, content=b"y")
    assert elsewhere.status_code == 200, elsewhere.text
    # nor can a deleted file of bob's be restored into it
    assert bob.call("DELETE", storage, params={"path": "in/mine.txt"}).status_code == 204
    [item] = bob.get("/api/v1/catalog/trash").json()["items"]
    restored = bob.post("/api/v1/catalog/trash/restore", json={"id": item["id"], "to": "in/ro/m"})
    assert restored.status_code == 403, restored.text
    back = bob.post("/api/v1/catalog/trash/restore", json={"id": item["id"]})
    assert back.status_code == 200, back.text


def test_a_share_in_step_is_not_run_again_until_something_changes(world: World) -> None:
    # Each run makes the recipient's folder; when making an existing folder was told as a
    # change, the share ran again at once, for ever, and starved the server's loop.
    alice, bob = world["alice"], world["bob"]
    alice.call("PUT", "/api/v1/storage/content", params={"path": "one/x.txt"}, content=b"x")
    share = _invite(world, place="home:one")
    assert bob.post(f"{BASE}/{share['id']}/accept", json={"place": "home:in"}).is_success
    world.wait_synced(bob, share["id"], 0)
    time.sleep(2.5)  # two and a half of the scheduler's one-second ticks
    assert len(alice.events("share.synced")) <= 2, "the share kept running while in step"


def test_an_api_write_reads_the_placed_shares_once_for_its_check_and_its_change(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = _invite(world, read_only=True)
    assert world["bob"].post(f"{BASE}/{share['id']}/accept", json={"place": "home:in"}).is_success
    store = world.app.state.account_shares.store
    reads: list[int] = []
    real = store.placed_for

    def counted(user_id: int) -> object:
        reads.append(user_id)
        return real(user_id)

    monkeypatch.setattr(store, "placed_for", counted)
    storage = "/api/v1/storage"
    bob, alice = world["bob"], world["alice"]
    written = bob.call("PUT", f"{storage}/content", params={"path": "mine.txt"}, content=b"y")
    assert written.status_code == 200, written.text
    assert reads == [bob.user_id]  # the read-only check, then the change: one read
    moved = bob.post(f"{storage}/move", json={"source": "mine.txt", "target": "kept.txt"})
    assert moved.status_code == 200, moved.text
    assert reads == [bob.user_id] * 2  # two paths checked, one change: still one read
    # The owner's write into the shared folder: read once too, for its change alone.
    changed = alice.call("PUT", f"{storage}/content", params={"path": "trip/n.txt"}, content=b"n")
    assert changed.status_code == 200, changed.text
    assert reads[2:] == [alice.user_id]
