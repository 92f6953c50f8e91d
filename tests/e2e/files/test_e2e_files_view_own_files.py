"""The Files view browses and manages your own files on this server.

In Chromium, signed in: files and a whole folder are uploaded (through tus) into a folder made
in the view, browsed, downloaded by their links (bytes compared), renamed and deleted; a name
the server refuses is reported and nothing is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.conftest import LiveServer, account_token, start_live_server
from tests.e2e.conftest import E2E_PASSWORD, signed_in_view

pytestmark = pytest.mark.e2e
TOP = "e2e-own-files"


def _answer_dialogs(page: Page, answers: list[str]) -> list[str]:
    """Answer each prompt with the next answer and accept each confirm; returns their texts."""
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if dialog.type == "prompt":
            dialog.accept(answers.pop(0))
        else:
            dialog.accept()

    page.on("dialog", answer)
    return asked


@contextmanager
def _signed_in(
    server: LiveServer, user: str, password: str = E2E_PASSWORD
) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=30) as client:
        signed_in = client.post("/api/v1/session", json={"name": user, "password": password})
        assert signed_in.status_code == 200, signed_in.text
        yield client


def _stored(live_server: LiveServer, user: str) -> dict[str, dict[str, Any]]:
    """The whole tree under TOP, straight from the API, to check what the view did."""
    with _signed_in(live_server, user) as client:
        listed = client.get("/api/v1/storage", params={"path": TOP, "recursive": "true"})
        if listed.status_code == 404:
            return {}
        assert listed.status_code == 200, listed.text
        return {e["path"]: e for e in listed.json()["entries"]}


def test_upload_browse_download_rename_and_delete_your_own_files(
    browser: Browser,
    live_server: LiveServer,
    e2e_user: str,
    session_cookies: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.bin"
    report.write_bytes(bytes(range(256)) * 40_000)  # 10 MB: more than one 8 MiB tus chunk
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    album = tmp_path / "album"
    (album / "inner").mkdir(parents=True)
    (album / "a.txt").write_bytes(b"alpha")
    (album / "inner" / "b.txt").write_bytes(b"bravo")
    (album / "inner" / "c.txt").write_bytes(b"charlie")  # 3 files: a status of its own

    with signed_in_view(browser, live_server, session_cookies, "files") as page:
        asked = _answer_dialogs(page, [TOP, "report-2026.bin"])
        status = page.locator("#storage-status")
        listing = page.locator("#storage-list")

        page.click("#storage-mkdir")
        expect(status).to_contain_text(f"Made “{TOP}”")
        listing.get_by_role("button", name=f"{TOP}/").click()
        expect(page.locator("#storage-crumbs")).to_contain_text(TOP)
        expect(listing).to_contain_text("This folder is empty")

        page.set_input_files("#storage-files", [str(report), str(empty)])
        expect(status).to_contain_text("Uploaded 2 files", timeout=60_000)
        page.set_input_files("#storage-folder", str(album))
        expect(status).to_contain_text("Uploaded 3 files", timeout=60_000)
        expect(listing.locator("tr", has_text="report.bin")).to_contain_text("10.2 MB")
        page.set_input_files("#storage-files", str(empty))  # again: asked before replacing
        expect(status).to_contain_text("Uploaded 1 file into", timeout=30_000)
        assert asked[-1].startswith("Already in this folder: empty.txt."), asked
        listing.get_by_role("button", name="album/").click()
        listing.get_by_role("button", name="inner/").click()
        expect(listing).to_contain_text("b.txt")
        page.locator("#storage-crumbs").get_by_role("button", name=TOP).click()

        with page.expect_download() as started:
            listing.get_by_role("link", name="report.bin").click()
        downloaded = Path(started.value.path()).read_bytes()
        assert hashlib.sha256(downloaded).digest() == hashlib.sha256(report.read_bytes()).digest()

        listing.locator("tr", has_text="report.bin").get_by_role("button", name="Rename").click()
        expect(status).to_contain_text("report-2026.bin")
        listing.locator("tr", has_text="album/").get_by_role("button", name="Delete").click()
        expect(status).to_contain_text(f"Deleted “{TOP}/album”")
        assert "everything in it" in asked[-1]

    stored = _stored(live_server, e2e_user)
    assert set(stored) == {f"{TOP}/report-2026.bin", f"{TOP}/empty.txt"}
    assert stored[f"{TOP}/report-2026.bin"]["sha1"] == hashlib.sha1(report.read_bytes()).hexdigest()
    assert stored[f"{TOP}/empty.txt"]["size"] == 0


def test_a_name_the_server_refuses_is_reported_and_nothing_kept(
    browser: Browser,
    live_server: LiveServer,
    e2e_user: str,
    session_cookies: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    odd = tmp_path / "back\\slash.txt"  # a fine name on Linux, refused by the server
    odd.write_bytes(b"odd")
    with signed_in_view(browser, live_server, session_cookies, "files") as page:
        _answer_dialogs(page, ["bad\\name"])
        status = page.locator("#storage-status")
        page.click("#storage-mkdir")
        expect(status).to_contain_text("was not made")
        expect(status).to_have_class("error")
        page.set_input_files("#storage-files", str(odd))
        expect(status).to_contain_text("0 of 1 uploaded, then refused", timeout=30_000)
        expect(status).to_contain_text("plain relative path")
    with _signed_in(live_server, e2e_user) as client:
        top = client.get("/api/v1/storage").json()["entries"]
    assert not [e for e in top if "\\" in e["path"]]


def test_an_upload_over_the_quota_is_refused_plainly_and_nothing_kept(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCOXIDE_LINK_QUOTA_BYTES", "100000")
    server = start_live_server(tmp_path / "data")
    try:
        account_token(server, "tight", tmp_path)  # the user "tight", password "tight password"
        with _signed_in(server, "tight", "tight password") as client:
            cookies = [
                {"name": k, "value": v, "url": server.url} for k, v in client.cookies.items()
            ]
        big = tmp_path / "big.bin"
        big.write_bytes(bytes(150_000))
        with signed_in_view(browser, server, cookies, "files") as page:
            expect(page.locator("#storage-usage")).to_have_text("0 B used, 100.0 kB left.")
            page.set_input_files("#storage-files", str(big))
            status = page.locator("#storage-status")
            expect(status).to_contain_text("0 of 1 uploaded, then refused", timeout=30_000)
            expect(status).to_contain_text("would go over your storage quota")
            expect(page.locator("#storage-list")).to_contain_text("This folder is empty")
    finally:
        server.stop()


def test_an_upload_the_network_keeps_cutting_is_reported_and_dropped_on_the_server(
    browser: Browser,
    live_server: LiveServer,
    e2e_user: str,
    session_cookies: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    cut = tmp_path / "cut.bin"
    cut.write_bytes(bytes(50_000))
    with signed_in_view(browser, live_server, session_cookies, "files") as page:
        page.route(
            "**/api/v1/storage/uploads/*",
            lambda route: route.abort() if route.request.method == "PATCH" else route.fallback(),
        )
        dropped: list[str] = []
        page.on("request", lambda r: dropped.append(r.url) if r.method == "DELETE" else None)
        page.set_input_files("#storage-files", str(cut))
        status = page.locator("#storage-status")
        expect(status).to_contain_text("0 of 1 uploaded, then refused", timeout=30_000)
        expect(status).to_contain_text("could not be reached")
        expect(page.locator("#storage-list")).not_to_contain_text("cut.bin")
    assert len(dropped) == 1, dropped
    with _signed_in(live_server, e2e_user) as client:
        gone = client.head(dropped[0], headers={"Tus-Resumable": "1.0.0"})
        assert gone.status_code == 404, "the cut upload was left open on the server"
        assert client.get("/api/v1/storage/stat", params={"path": "cut.bin"}).status_code == 404
