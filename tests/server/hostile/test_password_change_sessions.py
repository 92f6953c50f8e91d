"""Finding 11a: a new password signs out every other browser session of the account.

On the old server a password change left the user's other sessions signed in, so whoever had
signed in with the old password (perhaps the reason for changing it) stayed in.
"""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from tests.server.links.links_world import make_world
from tests.server.signin import PASSWORD, sign_in


def test_other_sessions_end_and_the_changing_one_stays(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    intruder = TestClient(world.app)
    sign_in(intruder, "alice")
    assert intruder.get("/api/v1/me").status_code == 200
    changed = world.owner.put(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new one"},
    )
    assert changed.status_code in (200, 204), changed.text
    assert intruder.get("/api/v1/me").status_code == 401
    assert world.owner.get("/api/v1/me").status_code == 200
    again = TestClient(world.app).post(
        "/api/v1/session", json={"name": "alice", "password": PASSWORD}
    )
    assert again.status_code == 401
