"""The Backups view: borg repositories the server hosts for you, and what is in them.

Four cards: SSH keys (which machines may reach your repositories, and what to type on them),
repositories (make, register, give or forget a passphrase), backups (browse an archive,
download a file or a zip, restore into a provider), and provider backups (rules the server
runs on a schedule). The cards do not know each other: the repositories and the server's
connections reach the cards that list them through feeds, and the live events socket
refreshes rules and restores when the server reports a run.
"""

from __future__ import annotations

from typing import Any

from syncoxide_web.api.live_events import LiveEvents
from syncoxide_web.backups.archive_browser import ArchiveBrowser, cancel_restore
from syncoxide_web.backups.keys_card import KeysCard
from syncoxide_web.backups.repositories_card import RepositoriesCard, cancel_passphrase
from syncoxide_web.backups.rules_card import BackupRulesCard
from syncoxide_web.platform.dom import Listeners
from syncoxide_web.platform.feed import Feed

BACKUPS_SECTION = """
<section data-view="backups" hidden>
  <h1>Backups</h1>
  <p>Encrypted, deduplicated backups with borg, kept in repositories on this server. Back up
     your computers with borg or Vorta over SSH, and your providers from here on a schedule;
     browse, download and restore from here.</p>
  <div class="card">
    <h2>SSH keys</h2>
    <div id="backup-hosting"><p class="muted">Loading…</p></div>
    <div id="backup-keys"></div>
    <form id="backup-key-form" autocomplete="off">
      <label>Public key <textarea id="backup-key-text" rows="2" spellcheck="false"
        placeholder="ssh-ed25519 AAAA… you@laptop"></textarea></label>
      <label>Name <input id="backup-key-label" placeholder="laptop"></label>
      <label><input type="checkbox" id="backup-key-append"> Append-only: this machine can add
        backups but never delete them (safe from ransomware on it)</label>
      <label>Storage limit <input id="backup-key-quota" size="6" placeholder="50G"></label>
      <button type="submit" id="backup-key-add">Add key</button>
    </form>
    <p id="backup-key-status" role="status" aria-live="polite"></p>
  </div>
  <div class="card">
    <h2>Repositories</h2>
    <div id="backup-repositories"><p class="muted">Loading…</p></div>
    <form id="backup-passphrase-form" hidden autocomplete="off">
      <label>Passphrase of <strong id="backup-passphrase-for"></strong>
        <input type="password" id="backup-passphrase" autocomplete="off"></label>
      <button type="submit" id="backup-passphrase-save">Keep it, sealed</button>
      <button type="button" id="backup-passphrase-cancel">Cancel</button>
    </form>
    <form id="backup-repo-form" autocomplete="off">
      <fieldset><legend>Add a repository</legend>
        <label><input type="radio" name="backup-repo-how" id="backup-repo-make" checked>
          Make a new one here</label>
        <label><input type="radio" name="backup-repo-how" id="backup-repo-register">
          Add one I made from my machine over SSH</label>
      </fieldset>
      <label>Name <input id="backup-repo-name" placeholder="laptop"></label>
      <label>Passphrase <input type="password" id="backup-repo-passphrase"
        autocomplete="new-password"></label>
      <label>Passphrase again <input type="password" id="backup-repo-passphrase2"
        autocomplete="new-password"></label>
      <label><input type="checkbox" id="backup-repo-keep" checked> Let the server keep the
        passphrase, sealed: needed to browse and restore here and to back up providers</label>
      <button type="submit" id="backup-repo-add">Add repository</button>
    </form>
    <p id="backup-repo-status" role="status" aria-live="polite"></p>
  </div>
  <div class="card">
    <h2>Your backups</h2>
    <label>Repository <select id="backup-browse-repo"></select></label>
    <p id="backup-browse-none" class="muted" hidden>No repository whose passphrase the server
      keeps yet: add one, or give a repository's passphrase, to see its backups here.</p>
    <div id="backup-archives"></div>
    <nav id="backup-archive-crumbs" aria-label="Folder in the backup"></nav>
    <div id="backup-entries"></div>
    <p><a id="backup-archive-zip" hidden></a></p>
    <p id="backup-browse-status" role="status" aria-live="polite"></p>
    <form id="backup-restore-form" hidden autocomplete="off">
      <p>Restore <strong id="backup-restore-what"></strong> into a provider. Files of the same
         name there are replaced; others are left alone.</p>
      <label>Provider <select id="backup-restore-dest"></select></label>
      <label>Folder <input id="backup-restore-path" placeholder="restored"></label>
      <button type="submit" id="backup-restore-go">Restore</button>
      <button type="button" id="backup-restore-cancel">Cancel</button>
    </form>
    <p id="backup-restore-status" role="status" aria-live="polite"></p>
    <div id="backup-restores"></div>
  </div>
  <div class="card">
    <h2>Provider backups</h2>
    <p>The server backs up a connected provider's folder into a repository on a schedule,
       with this page closed. Connect providers in <a href="#/files">Files</a> first.</p>
    <form id="backup-rule-form" autocomplete="off">
      <label>Name <input id="backup-rule-name" placeholder="photos bucket"></label>
      <label>Provider <select id="backup-rule-source"></select></label>
      <label>Folder <input id="backup-rule-path" placeholder="everything"></label>
      <label>Into <select id="backup-rule-repo"></select></label>
      <label>When <input id="backup-rule-schedule" value="daily at 02:00"></label>
      <p class="muted">hourly, daily at 02:30, weekly, monthly, every 30m, every 6h</p>
      <fieldset><legend>Keep (older backups are deleted; empty keeps all)</legend>
        <label>daily <input id="backup-rule-keep-daily" size="3" inputmode="numeric"></label>
        <label>weekly <input id="backup-rule-keep-weekly" size="3" inputmode="numeric"></label>
        <label>monthly <input id="backup-rule-keep-monthly" size="3" inputmode="numeric"></label>
      </fieldset>
      <button type="submit" id="backup-rule-create">Set up backup</button>
    </form>
    <p id="backup-rule-status" role="status" aria-live="polite"></p>
    <div id="backup-rules"><p class="muted">Loading…</p></div>
  </div>
</section>
"""


class BackupsView:
    def __init__(self, connections: Feed[list[dict[str, Any]]]) -> None:
        self._listeners = Listeners()
        self._connections = connections
        self._repositories: Feed[list[dict[str, Any]]] = Feed()
        self._keys = KeysCard()
        self._browser = ArchiveBrowser()
        self._repository_card = RepositoriesCard(self._repositories, self._browse)
        self._rules = BackupRulesCard()
        self._live = LiveEvents(self._listeners, ("backup.",), self._server_reported)

    def start(self) -> BackupsView:
        on, on_plain = self._listeners.on_task, self._listeners.on
        on("backup-key-form", "submit", self._keys.add)
        on("backup-keys", "click", self._keys.key_action)
        on("backup-repo-form", "submit", self._repository_card.add)
        on("backup-repositories", "click", self._repository_card.repository_action)
        on("backup-passphrase-form", "submit", self._repository_card.keep_passphrase)
        on_plain("backup-passphrase-cancel", "click", cancel_passphrase)
        on("backup-browse-repo", "change", self._browser.picked_repository)
        on("backup-archives", "click", self._browser.archive_click)
        for where in ("backup-archive-crumbs", "backup-entries"):
            on(where, "click", self._browser.folder_click)
        on("backup-restore-form", "submit", self._browser.restore)
        on_plain("backup-restore-cancel", "click", cancel_restore)
        on("backup-rule-form", "submit", self._rules.create)
        on("backup-rules", "click", self._rules.rule_action)
        self._repositories.follow(self._browser.show_repositories)
        self._repositories.follow(self._rules.show_repositories)
        self._connections.follow(self._browser.show_connections)
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
        await self._browser.refresh_restores()

    async def _server_reported(self) -> None:
        await self._rules.refresh()
        await self._browser.refresh_restores()
