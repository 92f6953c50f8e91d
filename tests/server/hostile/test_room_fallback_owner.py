"""Finding 11: a room's sender could name another user's share as its fallback.

Rooms need no account, so anyone could open one, call themselves its sender and point its
receivers at a share they found (a link forwarded to them, say): the receivers then download
somebody else's files under the stranger's link, and the owner's download count pays for it.
Now naming a fallback needs the sender signed in (an API token, or the session of a page of
this origin) as the share's owner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from syncoxide.server.signaling import messages as m
from tests.server.links.links_world import make_world, share_with
from tests.server.signaling.test_signaling_rooms import join
from tests.server.signin import add_user, sign_in

SAME_ORIGIN = {"origin": "http://testserver"}


def named_or_closed(client: TestClient, headers: dict[str, str], url: str) -> tuple[int, Any]:
    """Name ``url`` as a new room's fallback: (close code, 0 if taken; what a receiver is told)."""
    made = client.post("/signal/rooms")
    assert made.status_code == 201
    room = made.json()
    code = 0
    with client.websocket_connect(f"/signal/{room['room']}", headers=headers) as sender:
        join(sender, room["token"], "sender")
        sender.send_json({"type": "fallback", "url": url})
        sender.send_json({"type": "ping"})
        try:
            assert sender.receive_json() == {"type": "pong"}
        except WebSocketDisconnect as closed:
            code = closed.code
    with client.websocket_connect(f"/signal/{room['room']}") as receiver:
        told = join(receiver, room["token"], "receiver")["fallback"]
    return code, told


def test_only_the_shares_owner_can_make_it_a_rooms_fallback(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    share = share_with(world, {"contract.pdf": b"%PDF-" + b"c" * 3000})
    url = str(share["url"]).removeprefix("http://testserver")
    add_user(world.app, "mallory")
    mallory = world.stranger()
    sign_in(mallory, "mallory")
    assert named_or_closed(mallory, SAME_ORIGIN, url) == (m.CLOSE_NOT_YOURS, None)
    assert named_or_closed(world.stranger(), SAME_ORIGIN, url) == (m.CLOSE_NOT_YOURS, None)
    foreign_page = {"origin": "https://elsewhere.example"}
    assert named_or_closed(world.owner, foreign_page, url) == (m.CLOSE_NOT_YOURS, None)
    assert named_or_closed(world.owner, SAME_ORIGIN, url) == (0, url)
