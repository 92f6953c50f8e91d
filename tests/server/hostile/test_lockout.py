"""Finding 6: a stranger's wrong guesses never lock the real user out.

On the old server, 10 wrong logins for a name made the right password answer 429 from any
address, 10 wrong share passwords locked the real recipient out for 5 minutes, and
``/api/v1/cli-login/token`` had one bucket for every client. Throttles are per (account or
link, address) now, beside the per-address ones.
"""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from tests.server.links.links_world import make_world, share_with
from tests.server.signin import PASSWORD

ATTACKER, OWNER = ("203.0.113.7", 40000), ("198.51.100.2", 40000)


def test_wrong_logins_from_one_address_do_not_lock_out_another(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    attacker, owner = TestClient(world.app, client=ATTACKER), TestClient(world.app, client=OWNER)
    guesses = [
        attacker.post("/api/v1/session", json={"name": "alice", "password": f"guess {n}"})
        for n in range(12)
    ]
    assert guesses[-1].status_code == 429  # the guesser is throttled...
    signed = owner.post("/api/v1/session", json={"name": "alice", "password": PASSWORD})
    assert signed.status_code == 200, signed.text  # ...the owner is not


def test_wrong_share_passwords_do_not_lock_out_the_recipient(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    share = share_with(world, {"x.txt": b"x"}, password="right one")
    attacker = TestClient(world.app, client=ATTACKER)
    tries = [attacker.post(share["url"], data={"password": f"g{n}"}) for n in range(12)]
    assert tries[-1].status_code == 429
    recipient = TestClient(world.app, client=OWNER)
    right = recipient.post(share["url"], data={"password": "right one"}, follow_redirects=False)
    assert right.status_code == 303


def test_cli_login_codes_are_throttled_per_address(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    attacker = TestClient(world.app, client=ATTACKER)
    body = {"code": "nope", "verifier": "nope"}
    answers = [attacker.post("/api/v1/cli-login/token", json=body) for _ in range(40)]
    assert answers[-1].status_code == 429
    other = TestClient(world.app, client=OWNER).post("/api/v1/cli-login/token", json=body)
    assert other.status_code == 400  # refused for its own reason, not throttled
