"""The Backups view: borg repositories the server hosts for you, and what is in them.

Four cards: SSH keys (which machines may reach your repositories, and what to type on them),
repositories (make, register, give or forget a passphrase), backups (browse an archive,
download a file or a zip, restore into a provider), and provider backups (rules the server
runs on a schedule). The cards do not know each other: the repositories and the server's
connections reach the cards that list them through feeds, and the live events socket
refreshes rules when the server reports a run and moves a running restore's progress bar.
The layout is the server's (``syncoxide/server/pages/templates/views/backups.html``),
usable before Python runs.
"""

from __future__ import annotations

from typing import Any

from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.backups.archive_browser import ArchiveBrowser, cancel_restore
from syncoxide_web.backups.keys_card import KeysCard
from syncoxide_web.backups.repositories_card import RepositoriesCard, cancel_passphrase
from syncoxide_web.backups.restores_list import RestoresList
from syncoxide_web.backups.rules_card import BackupRulesCard
from syncoxide_web.platform.dom import Listeners
from syncoxide_web.platform.feed import Feed


class BackupsView:
    def __init__(self, connections: Feed[list[dict[str, Any]]]) -> None:
        self._listeners = Listeners()
        self._connections = connections
        self._repositories: Feed[list[dict[str, Any]]] = Feed()
        self._keys = KeysCard()
        self._restores = RestoresList()
        self._browser = ArchiveBrowser(self._restores)
        self._repository_card = RepositoriesCard(self._repositories, self._browse)
        self._rules = BackupRulesCard()
        self._live = LiveEvents(self._listeners, ("backup.",), on_event=self._server_reported)

    def start(self) -> BackupsView:
        on, on_plain = self._listeners.on_task, self._listeners.on
        on("backup-key-form", "submit", self._keys.add)
        on("backup-keys", "click", self._keys.key_action)
        on("backup-repo-form", "submit", self._repository_card.add)
        for how in ("backup-repo-make", "backup-repo-register", "backup-repo-own"):
            on(how, "change", self._repository_card.picked_how)
        on("backup-repo-own-new", "change", self._repository_card.picked_how)
        on("backup-repositories", "click", self._repository_card.repository_action)
        on("backup-passphrase-form", "submit", self._repository_card.keep_passphrase)
        on_plain("backup-passphrase-cancel", "click", cancel_passphrase)
        on("backup-browse-repo", "change", self._browser.picked_repository)
        on("backup-archives", "click", self._browser.archive_click)
        for where in ("backup-archive-crumbs", "backup-entries"):
            on(where, "click", self._browser.folder_click)
        on("backup-restore-form", "submit", self._browser.restore)
        on_plain("backup-restore-cancel", "click", cancel_restore)
        on("backup-restores", "click", self._restores.restore_action)
        on("backup-rule-form", "submit", self._rules.create)
        on("backup-rules", "click", self._rules.rule_action)
        self._repositories.follow(self._browser.show_repositories)
        self._repositories.follow(self._rules.show_repositories)
        self._connections.follow(self._browser.show_connections)
        self._connections.follow(self._restores.show_connections)
        self._connections.follow(self._rules.show_connections)
        for loading in (self._keys.refresh(), self._load_repositories()):
            self._listeners.start(loading)
        self._live.open()
        return self

    def _browse(self, repository_id: int) -> None:
        self._listeners.start(self._browser.open_repository(repository_id))

    async def _load_repositories(self) -> None:
        await self._repository_card.refresh()
        await self._rules.refresh()  # with the repositories' names now known
        await self._restores.refresh()

    def _server_reported(self, payload: dict[str, Any]) -> None:
        """A restore's progress is applied in place; anything else reads what changed."""
        if "restore_id" in payload:
            if not self._restores.progressed(payload):
                self._listeners.start(self._restores.refresh())
        else:
            self._listeners.start(self._rules.refresh())
