"""The Devices view in Chromium: the browser pairs, by code, with a CLI device the test starts
(its own config folder), each then lists the other as trusted; a wrong code is refused and
nothing is stored on either side; the view passes axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import signed_in_view
from tests.native.devices.device_processes import DeviceHome, make_device, pair, wait_for_code
from tests.native.p2p.p2p_processes import CliRun

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam

pytestmark = pytest.mark.e2e
CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")
DEVICE_ID = re.compile(r"^[A-Z2-7]{7}(-[A-Z2-7]{7}){3}$")


@pytest.fixture()
def page(
    browser: Browser, live_server: LiveServer, session_cookies: list[SetCookieParam]
) -> Iterator[Page]:
    with signed_in_view(browser, live_server, session_cookies, "devices") as opened:
        yield opened


def _offer(cli: DeviceHome, server: str, scratch: Path) -> tuple[CliRun, str]:
    run = cli.start("pair", "--server", server, "--wait", "60", log=scratch / "offer.log")
    return run, wait_for_code(run)


def test_the_browser_pairs_with_a_cli_device_by_its_code(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    expect(page.locator("#paired-own")).to_contain_text("not a device yet")
    cli = make_device(tmp_path, "laptop")
    phone = make_device(tmp_path, "phone")
    pair(cli, phone, live_server.url, tmp_path)
    assert cli.json("introduce", phone.device_id)["record"] == "introduce"
    page.fill("#paired-name", "Test browser")
    page.click("#paired-name-form button[type=submit]")
    expect(page.locator("#paired-own-name")).to_have_text("Test browser")
    run, code = _offer(cli, live_server.url, tmp_path)
    try:
        page.fill("#paired-code", code.lower())  # typed as a person would: case does not matter
        page.click("#paired-form button[type=submit]")
        expect(page.locator("#paired-confirm-text")).to_contain_text(
            f"Pair with laptop ({cli.device_id})?", timeout=60_000
        )
        page.click("#paired-confirm-yes")
        expect(page.locator("#paired-status")).to_contain_text("Paired with laptop", timeout=30_000)
        returncode, output = run.wait(30)
    finally:
        run.stop()
    assert returncode == 0, output

    own_id = page.locator("#paired-own-id").inner_text()
    assert DEVICE_ID.match(own_id), own_id
    row = page.locator(f'#paired-trusted tr[data-device="{cli.device_id}"]')
    expect(row).to_contain_text("laptop")
    expect(row).to_contain_text("paired directly")
    expect(row).to_contain_text("meeting room kept")
    expect(page.locator("#paired-status")).to_contain_text("1 of its trust records were not taken")
    expect(page.locator("#paired-graph")).to_contain_text("trusts laptop")

    listed = cli.json("list")  # the CLI verified the browser's signed PAIR record offline
    assert {"device_id": own_id, "name": "Test browser", "introduced_by": None} in listed["trusted"]

    # The laptop's introduction came with its records: a suggestion, trusted only on a click.
    suggestion = page.locator(f'#paired-suggested li[data-device="{phone.device_id}"]')
    expect(suggestion).to_contain_text(f"laptop {cli.device_id} suggests adding phone")
    expect(page.locator(f'#paired-trusted tr[data-device="{phone.device_id}"]')).to_have_count(0)
    suggestion.locator("button[data-action=trust]").click()
    phone_row = page.locator(f'#paired-trusted tr[data-device="{phone.device_id}"]')
    expect(phone_row).to_contain_text(f"laptop {cli.device_id}")  # introduced by
    expect(page.locator("#paired-suggested")).to_be_empty()
    expect(page.locator("#paired-graph")).to_contain_text(
        f"trusts phone {phone.device_id} (introduced by laptop {cli.device_id})"
    )
    assert serious_violations(page, include="section[data-view=devices]") == []

    page.reload()  # the identity and the trust survive a reload (IndexedDB)
    expect(page.locator("html")).to_have_attribute("data-ready", "1", timeout=90_000)
    expect(page.locator("#paired-own-id")).to_have_text(own_id)
    expect(page.locator(f'#paired-trusted tr[data-device="{cli.device_id}"]')).to_be_visible()

    page.click(f'#paired-trusted tr[data-device="{cli.device_id}"] button[data-action=revoke]')
    expect(page.locator("#paired-status")).to_contain_text("Revoked laptop")
    expect(page.locator(f'#paired-trusted tr[data-device="{cli.device_id}"]')).to_have_count(0)
    expect(page.locator("#paired-revoked")).to_contain_text(cli.device_id)
    expect(page.locator("#paired-graph")).to_contain_text("revoked laptop")


def test_the_cli_pairs_with_the_browser_by_a_code_the_browser_shows(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    cli = make_device(tmp_path, "laptop")
    page.click("#paired-offer")
    expect(page.locator("#paired-offer-code")).to_have_text(CODE, timeout=30_000)
    code = page.locator("#paired-offer-code").inner_text()
    expect(page.locator("#paired-offer-command")).to_have_text(
        f"syncoxide devices pair {code} --server {live_server.url}"
    )
    joined = cli.run("pair", code, "--server", live_server.url, "--yes", "--wait", "30")
    assert joined.returncode == 0, joined.stdout + joined.stderr
    expect(page.locator("#paired-status")).to_contain_text("Paired with laptop", timeout=30_000)
    expect(page.locator("#paired-offer-box")).to_be_hidden()
    own_id = page.locator("#paired-own-id").inner_text()
    assert [t["device_id"] for t in cli.json("list")["trusted"]] == [own_id]
    row = page.locator(f'#paired-trusted tr[data-device="{cli.device_id}"]')
    expect(row).to_contain_text("meeting room kept")  # the browser made the pair's room


def test_a_wrong_code_is_refused_and_nothing_is_stored(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    page.fill("#paired-code", "not a code")
    page.click("#paired-form button[type=submit]")
    expect(page.locator("#paired-status")).to_contain_text("is not a pairing code")
    expect(page.locator("#paired-status")).to_contain_text("Nothing was paired or stored")

    cli = make_device(tmp_path, "laptop")
    run, code = _offer(cli, live_server.url, tmp_path)
    wrong_secret = "2222" if not code.endswith("2222") else "3333"
    try:
        page.fill("#paired-code", code[:10] + wrong_secret)  # the right room, a wrong secret
        page.click("#paired-form button[type=submit]")
        expect(page.locator("#paired-status")).to_contain_text(
            "did not prove it knows the pairing code", timeout=60_000
        )
        returncode, output = run.wait(40)
    finally:
        run.stop()
    assert returncode != 0, output
    expect(page.locator("#paired-confirm")).to_be_hidden()
    expect(page.locator("#paired-trusted")).to_contain_text("No trusted devices yet")
    expect(page.locator("#paired-own")).to_contain_text("not a device yet")  # no key kept
    assert cli.json("list")["trusted"] == []


def test_declining_the_other_device_stores_nothing_on_either_side(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    cli = make_device(tmp_path, "stranger")
    run, code = _offer(cli, live_server.url, tmp_path)
    try:
        page.fill("#paired-code", code)
        page.click("#paired-form button[type=submit]")
        expect(page.locator("#paired-confirm-text")).to_contain_text(
            f"Pair with stranger ({cli.device_id})?", timeout=60_000
        )
        page.click("#paired-confirm-no")
        expect(page.locator("#paired-status")).to_contain_text("Pairing declined")
        returncode, output = run.wait(40)
    finally:
        run.stop()
    assert returncode != 0 and "declined" in output, output
    expect(page.locator("#paired-own")).to_contain_text("not a device yet")
    expect(page.locator("#paired-graph")).to_contain_text("No trust records yet")
    assert cli.json("list")["trusted"] == []
