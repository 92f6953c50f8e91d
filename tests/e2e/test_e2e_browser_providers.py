"""The browser providers (OPFS, picked folders) pass the provider conformance suite in Chromium,
and their change events (``FileSystemObserver``) name what changed, as the device sync uses
them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import LiveServer
from tests.e2e.browser_python import run_python_in_page

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(browser: Browser) -> Page:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_opfs_folders_pass_the_conformance_suite(page: Page, live_server: LiveServer) -> None:
    result = run_python_in_page(
        page,
        live_server.url,
        """
        from syncoxide.testing.provider_conformance import run_conformance
        from syncoxide_web.platform.opfs import open_opfs_folder

        made = []

        async def fresh_folder():
            made.append(len(made))
            return await open_opfs_folder(f"conformance-{len(made)}")

        failures = await run_conformance(fresh_folder)
        assert failures == [], "\\n".join(failures)
        assert len(made) >= 10
    """,
    )
    assert result == "ok", result


def test_mtimes_survive_a_reload_but_not_an_outside_edit(
    page: Page, live_server: LiveServer
) -> None:
    first = run_python_in_page(
        page,
        live_server.url,
        """
        from syncoxide_web.platform.opfs import open_opfs_folder

        async def one(data):
            yield data

        folder = await open_opfs_folder("kept")
        await folder.write("a.txt", one(b"aaa"), mtime_ns=1_500_000_000_000_000_000)
        await folder.write("b.txt", one(b"bbb"), mtime_ns=1_500_000_000_000_000_000)
        await folder._index.flush()
    """,
    )
    assert first == "ok", first
    second = run_python_in_page(
        page,
        live_server.url,
        """
        import js
        from syncoxide_web.platform.opfs import open_opfs_folder

        folder = await open_opfs_folder("kept")
        assert (await folder.stat("a.txt")).mtime_ns == 1_500_000_000_000_000_000
        # Someone edits b.txt behind the app's back (as in a picked folder): that is a change.
        handle = await folder._root.getFileHandle("b.txt")
        stream = await handle.createWritable()
        await stream.write("changed")
        await stream.close()
        assert (await folder.stat("b.txt")).mtime_ns != 1_500_000_000_000_000_000
    """,
    )
    assert second == "ok", second


def test_changes_in_a_folder_are_named_and_a_quiet_folder_wakes_nothing(
    page: Page, live_server: LiveServer
) -> None:
    result = run_python_in_page(
        page,
        live_server.url,
        """
        import asyncio
        import js
        from syncoxide_web.platform.folder_observer import watching
        from syncoxide_web.platform.opfs import open_opfs_folder

        async def one(data):
            yield data

        folder = await open_opfs_folder("observed")
        await folder.write("old.txt", one(b"old"))
        observer = await watching(folder.root_handle)
        assert observer is not None, "Chromium has FileSystemObserver"
        try:
            assert await observer.next_change(1.0) == (set(), True)  # quiet: a whole scan due

            async def write_later():
                await asyncio.sleep(0.3)  # the waiter is asleep by then, the loop idle
                await js.eval('''(async () => {
                  const root = await navigator.storage.getDirectory();
                  const folders = await root.getDirectoryHandle("folders");
                  const dir = await (await folders.getDirectoryHandle("observed"))
                    .getDirectoryHandle("made here", {create: true});
                  const file = await dir.getFileHandle("new.txt", {create: true});
                  const writable = await file.createWritable();
                  await writable.write("new");
                  await writable.close();
                })()''')

            writing = asyncio.ensure_future(write_later())
            paths, whole = await observer.next_change(10.0)
            await writing
            assert not whole and {"made here", "made here/new.txt"} <= paths, paths
            await folder.move("old.txt", "renamed.txt")
            paths, whole = await observer.next_change(10.0)
            assert not whole and {"old.txt", "renamed.txt"} <= paths, paths
        finally:
            observer.close()
    """,
    )
    assert result == "ok", result
