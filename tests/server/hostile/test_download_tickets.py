"""Finding 1: a share's download limit cannot be bypassed with a forged or replayed ticket.

The attack on the old server: the password unlock cookie was also the key download tickets were
signed with, so a visitor who knew the password minted ``<far future>.<hmac>`` tickets and took
the file again and again with ``Range: bytes=1-`` while the counter stayed at 0.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from syncoxide.server.links.service import RESUME_GRACE_SECONDS
from syncoxide.server.signing import SigningKey
from tests.server.databases import sqlite_only
from tests.server.links.links_world import LinksWorld, make_world, share_with

DATA = b"only for one recipient " * 100
FAR_FUTURE = 4_000_000_000


@pytest.fixture
def world(tmp_path: Path) -> LinksWorld:
    return make_world(tmp_path)


def _url(share: dict[str, Any], path: str) -> str:
    return str(next(f for f in share["files"] if f["path"] == path)["download_url"])


def _downloads(world: LinksWorld, share: dict[str, Any]) -> int:
    return int(world.owner.get(f"/api/v1/shares/{share['id']}").json()["downloads"])


def _forgeries(link_id: str, unlock_cookie: str) -> list[str]:
    """Tickets a visitor could make from what they know: the old format signed with the unlock
    cookie, the new format with that cookie as key, and plain garbage of the right shape."""

    def old(counted_at: str) -> str:
        message = f"visit:{link_id}:{counted_at}".encode()
        return hmac.new(unlock_cookie.encode(), message, hashlib.sha256).hexdigest()[:32]

    new_mac = hmac.new(unlock_cookie.encode(), b"x", hashlib.sha256).hexdigest()[:32]
    return [
        f"{FAR_FUTURE}.{old(str(FAR_FUTURE))}",
        f"v1.{FAR_FUTURE}.AAAAAAAAAAAAAAAAAAAAAA.{new_mac}",
        f"v1.1800000000.AAAAAAAAAAAAAAAAAAAAAA.{'0' * 32}",
        f"v1.-5.AAAAAAAAAAAAAAAAAAAAAA.{'0' * 32}",
        "v1..." * 3,
    ]


def test_forged_tickets_never_make_a_download_free(world: LinksWorld) -> None:
    share = share_with(world, {"report.pdf": DATA}, password="right one", max_downloads=1)
    url = _url(share, "report.pdf")
    visitor = world.stranger()
    unlocked = visitor.post(share["url"], data={"password": "right one"}, follow_redirects=False)
    assert unlocked.status_code == 303
    unlock_cookie = visitor.cookies[f"sxo_link_{share['id']}"]
    assert visitor.get(url).content == DATA  # the one allowed download
    assert _downloads(world, share) == 1
    for forged in _forgeries(share["id"], unlock_cookie):
        other = world.stranger()
        other.cookies.set(f"sxo_link_{share['id']}", unlock_cookie)
        other.cookies.set(f"sxo_dl_{share['id']}", forged)
        taken = other.get(url, headers={"Range": "bytes=1-"})
        assert taken.status_code == 410, (forged, taken.status_code)
    assert _downloads(world, share) == 1


def test_a_ticket_resumes_only_the_download_it_was_issued_for(world: LinksWorld) -> None:
    share = share_with(world, {"a.bin": DATA, "b.bin": DATA[::-1]}, max_downloads=2)
    visitor = world.stranger()
    assert visitor.get(_url(share, "a.bin")).status_code == 200
    resumed = visitor.get(_url(share, "a.bin"), headers={"Range": "bytes=100-"})
    assert resumed.status_code == 206 and resumed.content == DATA[100:]
    assert _downloads(world, share) == 1
    # Another file with the first file's ticket is a new download, not a resume.
    ticket = next(c for c in visitor.cookies.jar if c.name.startswith("sxo_dl_"))
    other = world.stranger()
    other.cookies.set(ticket.name, str(ticket.value))
    assert other.get(_url(share, "b.bin"), headers={"Range": "bytes=1-"}).status_code == 206
    assert _downloads(world, share) == 2
    assert (
        world.stranger().get(_url(share, "b.bin"), headers={"Range": "bytes=1-"}).status_code == 410
    )


def test_a_ticket_expires(world: LinksWorld) -> None:
    share = share_with(world, {"a.bin": DATA}, max_downloads=1)
    visitor = world.stranger()
    assert visitor.get(_url(share, "a.bin")).status_code == 200
    world.clock.now += RESUME_GRACE_SECONDS - 1
    assert visitor.get(_url(share, "a.bin"), headers={"Range": "bytes=5-"}).status_code == 206
    world.clock.now += 2
    assert visitor.get(_url(share, "a.bin"), headers={"Range": "bytes=5-"}).status_code == 410


def test_tickets_from_the_future_are_refused() -> None:
    key = SigningKey(b"k" * 32)
    ticket = key.issue("download-ticket", ("link", "file:1"), now=2_000)
    assert (
        key.check(ticket, "download-ticket", ("link", "file:1"), now=2_000, lifetime=60) is not None
    )
    assert key.check(ticket, "download-ticket", ("link", "file:1"), now=1_999, lifetime=60) is None
    assert key.check(ticket, "download-ticket", ("link", "file:2"), now=2_000, lifetime=60) is None
    assert key.check(ticket, "other-purpose", ("link", "file:1"), now=2_000, lifetime=60) is None
    assert (
        SigningKey(b"j" * 32).check(
            ticket, "download-ticket", ("link", "file:1"), now=2_000, lifetime=60
        )
        is None
    )


@sqlite_only("reads the SQLite file's bytes and the key file's mode")
def test_unlock_cookies_are_not_in_the_database_and_the_key_is_private(
    world: LinksWorld, tmp_path: Path
) -> None:
    share = share_with(world, {"x.txt": b"x"}, password="pw")
    visitor = world.stranger()
    visitor.post(share["url"], data={"password": "pw"}, follow_redirects=False)
    cookie = visitor.cookies[f"sxo_link_{share['id']}"]
    data = tmp_path / "data"
    for stored in data.glob("syncoxide.sqlite3*"):
        assert cookie.encode() not in stored.read_bytes()
    assert stat.S_IMODE((data / "signing.key").stat().st_mode) == 0o600
    # The cookie is bound to the password hash: a new password would end every earlier unlock.
    key = world.app.state.services.signing
    assert key.matches(cookie, "link-unlock", share["id"], _password_hash(data, share["id"]))
    assert not key.matches(cookie, "link-unlock", share["id"], "another hash")


def _password_hash(data: Path, link_id: str) -> str:
    with sqlite3.connect(data / "syncoxide.sqlite3") as db:
        row = db.execute("SELECT password_hash FROM links WHERE id = ?", (link_id,)).fetchone()
    return str(row[0])
