"""Change notices: live events and mail digests, at most one per share and person per
``digest_minutes``, with a working unsubscribe link; all read back from a real SMTP server on
loopback. The places are both accounts' storage on the server, so a change made through the
storage API reaches the other side by itself (no client, no "sync now")."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.server.accountshares.shares_world import Person, World, shares_world
from tests.server.mail.smtp_world import Inbox, smtp_server

BASE = "/api/v1/account-shares"


@pytest.fixture()
def inbox() -> Iterator[Inbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture()
def world(tmp_path: Path, inbox: Inbox) -> Iterator[World]:
    with shares_world(tmp_path / "data", inbox.settings(digest_minutes=5), ("alice", "bob")) as w:
        yield w


def _put(person: Person, path: str, data: bytes) -> None:
    answer = person.call("PUT", "/api/v1/storage/content", params={"path": path}, content=data)
    assert answer.status_code == 200, answer.text


def _wait_for(check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _digests(inbox: Inbox, to: str) -> list:
    return [m for _, m in inbox.received if m["To"] == to and "changes in" in m["Subject"]]


def test_changes_are_told_live_and_in_one_digest_per_period_until_unsubscribed(
    world: World, inbox: Inbox
) -> None:
    alice, bob = world["alice"], world["bob"]
    _put(alice, "proj/a.txt", b"first")
    share = alice.post(BASE, json={"to": "bob", "place": "home:proj"}).json()
    bob.post(f"{BASE}/{share['id']}/accept", json={"place": "home:in/proj"})

    def bob_has(path: str, data: bytes) -> bool:
        got = bob.get("/api/v1/storage/content", params={"path": path})
        return got.status_code == 200 and got.content == data

    _wait_for(lambda: bob_has("in/proj/a.txt", b"first"))
    _wait_for(lambda: len(_digests(inbox, "bob@example.org")) == 1)
    [digest] = _digests(inbox, "bob@example.org")
    assert digest["Subject"] == "1 changes in 'proj'"
    assert "alice added a.txt" in digest.get_content()
    stop = str(digest["List-Unsubscribe"]).strip().strip("<>")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop these emails for this share: {stop}" in digest.get_content().splitlines()
    assert bob.events("share.changed")[0]["changes"] == [{"path": "a.txt", "action": "added"}]

    # bob changes it in his copy: alice is told live and by mail; bob gets no second digest
    # within the period, though alice's next change is recorded for him
    _put(bob, "in/proj/a.txt", b"second, by bob")
    _wait_for(lambda: len(_digests(inbox, "alice@example.org")) == 1)
    assert "bob changed a.txt" in _digests(inbox, "alice@example.org")[0].get_content()
    assert alice.events("share.changed")[-1]["by"] == "bob"
    _put(alice, "proj/b.txt", b"new from alice")
    _wait_for(lambda: bob_has("in/proj/b.txt", b"new from alice"))
    time.sleep(1.5)  # ticks pass; the period holds the digest back
    assert len(_digests(inbox, "bob@example.org")) == 1

    # once the period is over, the next digest gathers what waited
    store = world.app.state.account_shares.store
    store.digest_sent(share["id"], bob.user_id, 1)
    _wait_for(lambda: len(_digests(inbox, "bob@example.org")) == 2)
    assert "alice added b.txt" in _digests(inbox, "bob@example.org")[1].get_content()

    # the unsubscribe link asks first (a mail scanner's GET changes nothing), then stops them
    path = urlsplit(stop).path
    page = bob.client.get(path)
    assert page.status_code == 200 and "Stop these emails" in page.text
    assert bob.client.post(path).status_code == 200
    assert bob.client.get(path[:-4] + "beef").status_code == 404  # a forged ticket
    store.digest_sent(share["id"], bob.user_id, 1)
    _put(alice, "proj/c.txt", b"after unsubscribing")
    _wait_for(lambda: bob_has("in/proj/c.txt", b"after unsubscribing"))
    time.sleep(1.5)
    assert len(_digests(inbox, "bob@example.org")) == 2
    # a rewrite of the same size, sent with no time (both stored with mtime 0), still crosses:
    # two storage places compare by digest
    _put(alice, "proj/a.txt", b"second, by ann")
    _wait_for(lambda: bob_has("in/proj/a.txt", b"second, by ann"))
    # c.txt's live notice: once lost among hundreds of "share.synced" events when a share in
    # step re-ran without end (making its existing folder was told as a change)
    changed = [c for e in bob.events("share.changed") for c in e["changes"]]
    assert {"path": "c.txt", "action": "added"} in changed
