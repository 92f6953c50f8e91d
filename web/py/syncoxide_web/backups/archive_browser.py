"""The backups card: a repository's archives, the folders inside one, downloads and restores.

Listing and browsing ask the server, which reads the repository with borg. A download is a
plain link to the file or zip route: the browser streams it to disk with the session cookie,
so the bytes never pass through Python. A restore into a provider runs on the server; the
card shows it until it finishes (the live events socket says when).
"""

from __future__ import annotations

from typing import Any

from syncoxide.errors import SyncoxideError
from syncoxide_web.api.client import call_api
from syncoxide_web.backups.backups_html import (
    archive_crumbs_html,
    archive_operation,
    archive_url,
    archives_html,
    entries_html,
    repository_choices,
)
from syncoxide_web.backups.restores_list import RESTORE_STATUS, RestoresList
from syncoxide_web.platform.dom import data_of, element, present, say, say_error, show
from syncoxide_web.sync.rules_html import connection_choices

STATUS = "backup-browse-status"


class ArchiveBrowser:
    """The repository and archive shown, what a restore would restore, and the connections it
    may go into."""

    def __init__(self, restores: RestoresList) -> None:
        self._repository_id = 0
        self._archive = ""
        self._restore_path = ""
        self._restores = restores

    def show_repositories(self, repositories: list[dict[str, Any]]) -> None:
        """Fill the picker with the repositories the server can open; none is opened unasked
        (listing runs borg on the server)."""
        kept = [int(r["id"]) for r in repositories if r["passphrase_kept"]]
        picker = element("backup-browse-repo")
        picker.innerHTML = '<option value="">Pick a repository</option>' + repository_choices(
            repositories
        )
        if self._repository_id not in kept:
            self._forget_shown()
        picker.value = str(self._repository_id or "")
        show("backup-browse-none", not kept)

    def show_connections(self, connections: list[dict[str, Any]]) -> None:
        element("backup-restore-dest").innerHTML = connection_choices(connections)

    def _forget_shown(self) -> None:
        """Show no repository: its archives and folder are cleared, a restore form closed."""
        self._repository_id, self._archive = 0, ""
        for where in ("backup-archives", "backup-archive-crumbs", "backup-entries"):
            element(where).innerHTML = ""
        show("backup-archive-zip", False)
        cancel_restore(None)

    async def open_repository(self, repository_id: int) -> None:
        """List the repository's archives, newest first, and leave any archive shown."""
        self._forget_shown()
        self._repository_id = repository_id
        element("backup-browse-repo").value = str(repository_id)
        say(STATUS, "Reading the repository…")
        try:
            answer = await call_api("GET", f"/backups/repositories/{repository_id}/archives")
        except SyncoxideError as error:
            element("backup-archives").innerHTML = ""
            say_error(STATUS, error, what="The backups could not be listed")
            return
        element("backup-archives").innerHTML = archives_html(answer["archives"])
        count = len(answer["archives"])
        say(STATUS, f"{count} backup{'s' if count != 1 else ''}, newest first.")

    async def picked_repository(self, _event: Any) -> None:
        value = str(element("backup-browse-repo").value)
        if value:
            await self.open_repository(int(value))
        else:
            self._forget_shown()

    async def archive_click(self, event: Any) -> None:
        item = event.target.closest("li.archive")
        if present(item) and (data_of(event.target, "action") or "") == "open":
            self._archive = str(item.dataset.archive)
            await self.open_folder("")

    async def folder_click(self, event: Any) -> None:
        """A folder button (in the crumbs or the list) opens it; Restore… asks where to."""
        target = event.target
        if target.hasAttribute("data-folder"):
            await self.open_folder(str(target.dataset.folder))
        elif (data_of(target, "action") or "") == "restore":
            self._ask_restore(str(target.dataset.path))

    async def open_folder(self, folder: str) -> None:
        operation = archive_operation(self._repository_id, self._archive, "entries", folder)
        try:
            answer = await call_api("GET", operation)
        except SyncoxideError as error:
            say_error(STATUS, error, what=f"“{folder or self._archive}” could not be opened")
            return
        element("backup-archive-crumbs").innerHTML = archive_crumbs_html(self._archive, folder)
        element("backup-entries").innerHTML = entries_html(
            self._repository_id, self._archive, folder, answer["entries"]
        )
        whole = element("backup-archive-zip")
        whole.href = archive_url(self._repository_id, self._archive, "zip", folder)
        whole.download = f"{folder.rsplit('/', 1)[-1] or self._archive}.zip"
        whole.textContent = f"Download {'this folder' if folder else 'everything'} as a zip"
        show(whole)
        say(STATUS, "Click a file to download it, or Restore… to put it back into a provider.")

    def _ask_restore(self, path: str) -> None:
        self._restore_path = path
        element("backup-restore-what").textContent = f"{path or 'Everything'} from {self._archive}"
        show("backup-restore-form")

    async def restore(self, _event: Any) -> None:
        connection = str(element("backup-restore-dest").value)
        if not connection:
            say(RESTORE_STATUS, "Connect a provider in Files first, then pick it here.", error=True)
            return
        body = {
            "connection_id": int(connection),
            "path": self._restore_path,
            "dest_path": str(element("backup-restore-path").value).strip(),
        }
        operation = archive_operation(self._repository_id, self._archive, "restore")
        try:
            await call_api("POST", operation, body)
        except SyncoxideError as error:
            say_error(RESTORE_STATUS, error, what="The restore did not start")
            return
        say(RESTORE_STATUS, "Restoring on the server: files already there are replaced.")
        cancel_restore(None)
        await self._restores.refresh()


def cancel_restore(_event: Any) -> None:
    show("backup-restore-form", False)
