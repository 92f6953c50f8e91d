"""Finding 8: a crafted ``syncoxide login`` link cannot be approved by a click.

On the old server, ``/cli-login?port=0&challenge=<attacker's>`` sent to a signed-in victim showed
an Allow button and nothing about who asked; one click gave the attacker a token. And a wrong
verifier burned the real code. Now the command line files its request first, the page shows the
device, address and time, and only the code shown in the asking terminal approves it.
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from syncoxide.server.accounts.cli_codes import MAX_WRONG_USER_CODES, challenge_of
from tests.server.links.links_world import LinksWorld, make_world

ATTACKER = ("203.0.113.66", 5000)
VERIFIER = "v" * 64


def _start(client: TestClient, device: str) -> dict[str, str]:
    body = {"challenge": challenge_of(VERIFIER), "port": 0, "device": device}
    answer = client.post("/api/v1/cli-login/start", json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _tokens(world: LinksWorld) -> int:
    return len(world.owner.get("/api/v1/tokens").json()["tokens"])


def test_an_old_style_link_with_a_strangers_challenge_approves_nothing(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    page = world.owner.get(f"/cli-login?port=0&challenge={challenge_of(VERIFIER)}")
    assert page.status_code == 404 and "Allow" not in page.text


def test_the_page_names_the_asking_device_and_needs_its_code(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    asked = _start(TestClient(world.app, client=ATTACKER), "evil\u202elaptop")
    before = _tokens(world)
    page = world.owner.get(asked["approve_url"])
    assert page.status_code == 200
    assert 'id="cli-device">evillaptop<' in page.text  # bidi control dropped
    assert 'id="cli-address">203.0.113.66<' in page.text
    assert asked["user_code"] not in page.text
    for attempt in range(MAX_WRONG_USER_CODES):
        clicked = world.owner.post(
            asked["approve_url"], data={"csrf": _csrf(page.text), "user_code": "BBBB-BBBB"}
        )
        assert "cli-code" not in clicked.text
        assert clicked.status_code == (400 if attempt < MAX_WRONG_USER_CODES - 1 else 404)
    assert _tokens(world) == before
    late = world.owner.post(
        asked["approve_url"], data={"csrf": _csrf(page.text), "user_code": asked["user_code"]}
    )
    assert late.status_code == 404 and _tokens(world) == before  # dropped after the guesses


def test_a_wrong_verifier_does_not_burn_the_real_code(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    asked = _start(TestClient(world.app), "my laptop")
    page = world.owner.get(asked["approve_url"])
    typed = asked["user_code"].lower().replace("-", " ")  # as people type it
    shown = world.owner.post(
        asked["approve_url"], data={"csrf": _csrf(page.text), "user_code": typed}
    )
    assert shown.status_code == 200, shown.text
    code = re.search(r'id="cli-code">([^<]+)<', shown.text)
    assert code is not None
    stranger = TestClient(world.app, client=ATTACKER)
    wrong = stranger.post("/api/v1/cli-login/token", json={"code": code[1], "verifier": "x" * 64})
    assert wrong.status_code == 400
    right = TestClient(world.app).post(
        "/api/v1/cli-login/token", json={"code": code[1], "verifier": VERIFIER}
    )
    assert right.status_code == 200 and right.json()["token"]
