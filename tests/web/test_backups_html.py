"""The Backups view's HTML from the backup API's JSON, without a browser."""

from __future__ import annotations

from html.parser import HTMLParser

from syncoxide_web.backups.backups_html import (
    archive_crumbs_html,
    archive_operation,
    archive_url,
    archives_html,
    backup_rules_html,
    entries_html,
    hosting_html,
    identity_html,
    keys_html,
    repositories_html,
    repository_choices,
    restores_html,
    retention_text,
)

SETTINGS = {
    "repository_url": "ssh://borg@backup.example:22/srv/b/user-7/laptop",
    "borg_init": "borg init --encryption repokey-blake2 ssh://borg@backup.example:22/srv/b/user-7/laptop",
    "borg_create": "borg create --stats ssh://...::{hostname}-{now} ~/Documents",
    "vorta": "Repository URL: ssh://...",
}
REPOSITORIES = [
    {"id": 1, "name": "laptop", "encryption": "repokey-blake2", "passphrase_kept": True,
     "created_at": 0, "settings": SETTINGS},
    {"id": 2, "name": "phone<x>", "encryption": "repokey-blake2", "passphrase_kept": False,
     "created_at": 0, "settings": SETTINGS},
]  # fmt: skip
NOW = 1_800_000_000


class _Links(HTMLParser):
    """Every ``<a>``'s attributes, as a browser would read them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links_in(html: str) -> list[dict[str, str | None]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def test_hosting_shows_where_to_connect_and_the_commands_to_type() -> None:
    hosting = {"ssh_ready": True, "ssh_host": "backup.example", "ssh_port": 2222,
               "ssh_login": "borg", "area": "/srv/b/user-7", "settings": SETTINGS}  # fmt: skip
    html = hosting_html(hosting)
    assert "<code>borg@backup.example</code> on port 2222" in html
    assert "/srv/b/user-7" in html and "borg init --encryption repokey-blake2" in html
    assert "not set up its SSH account" not in html
    waiting = hosting_html({**hosting, "ssh_ready": False, "settings": {}})
    assert "not set up its SSH account yet" in waiting and "<details>" not in waiting


def test_keys_show_their_limits_in_words_and_escape_labels() -> None:
    keys = [
        {"id": 3, "label": "<laptop>", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIabcdef",
         "append_only": True, "quota": "5G", "created_at": NOW},
        {"id": 4, "label": "desk", "public_key": "ssh-rsa AAAAB3Nza", "append_only": False,
         "quota": "", "created_at": NOW},
    ]  # fmt: skip
    html = keys_html(keys)
    assert "&lt;laptop&gt;" in html and "<laptop>" not in html
    assert 'data-key-id="3"' in html and "can add backups but not delete them" in html
    assert "at most 5GB in each repository" in html and "ssh-ed25519 …" in html
    assert html.count("append-only") == 1 and html.count("at most") == 1
    assert "No SSH key yet" in keys_html([])


def test_repositories_offer_what_their_passphrase_allows() -> None:
    html = repositories_html(REPOSITORIES)
    kept, not_kept = html.split('data-repository-id="2"')
    assert 'data-action="browse"' in kept and 'data-action="forget-passphrase"' in kept
    assert 'data-action="keep-passphrase"' in not_kept and 'data-action="browse"' not in not_kept
    assert "phone&lt;x&gt;" in not_kept
    assert "borg init --encryption repokey-blake2 ssh://" in html
    # Only repositories the server can open are offered for browsing and for rules.
    assert repository_choices(REPOSITORIES) == '<option value="1">laptop</option>'
    assert "No repository yet" in repositories_html([])


def test_archive_addresses_quote_names_and_paths() -> None:
    operation = archive_operation(1, "docs-2026-12-06T10:00:00", "file", "a b/c&d.txt")
    assert operation == (
        "/backups/repositories/1/archives/docs-2026-12-06T10%3A00%3A00/file?path=a%20b%2Fc%26d.txt"
    )
    assert archive_url(1, "x", "zip") == "/api/v1/backups/repositories/1/archives/x/zip"


def test_an_archives_folder_lists_folders_first_with_downloads() -> None:
    entries = [
        {"path": "docs/z.txt", "name": "z.txt", "kind": "file", "size": 2500, "mtime": NOW},
        {"path": "docs/<b>", "name": "<b>", "kind": "dir", "size": 0, "mtime": NOW},
        {"path": "docs/l", "name": "l", "kind": "symlink", "size": 0, "mtime": NOW,
         "link_target": "z.txt"},
    ]  # fmt: skip
    html = entries_html(1, "arch", "docs", entries)
    assert html.index("&lt;b&gt;/") < html.index("z.txt")
    assert "2.5 kB" in html and "→ z.txt" in html
    links = links_in(html)
    assert {"href": "/api/v1/backups/repositories/1/archives/arch/zip?path=docs%2F%3Cb%3E",
            "download": "<b>.zip"} in links  # fmt: skip
    assert {"href": "/api/v1/backups/repositories/1/archives/arch/file?path=docs%2Fz.txt",
            "download": "z.txt"} in links  # fmt: skip
    assert len(links) == 2  # a link in the archive is listed, not offered as a download
    assert html.count('data-action="restore"') == 3
    assert "This folder is empty" in entries_html(1, "arch", "docs", [])


def test_crumbs_lead_back_to_each_folder_and_archives_list_newest_given_first() -> None:
    crumbs = archive_crumbs_html("arch", "a/b")
    assert 'data-folder=""' in crumbs and 'data-folder="a"' in crumbs
    assert 'data-folder="a/b"' in crumbs
    html = archives_html([{"name": "new", "id": "1", "time": NOW},
                          {"name": "old", "id": "2", "time": NOW - 86400}])  # fmt: skip
    assert html.index("new") < html.index("old") and "2027-01-15 08:00 UTC" in html
    assert "No backup in this repository yet" in archives_html([])


def test_rules_show_state_failure_and_runs_in_plain_words() -> None:
    rules = [
        {"id": 5, "name": "bucket", "connection_id": 9, "source_path": "photos",
         "repository_id": 1, "schedule": "daily at 02:00", "retention": {"weekly": 4, "daily": 7},
         "enabled": True, "status": "failed", "status_message": "The passphrase does not open it.",
         "next_run_at": NOW + 3600, "last_run_at": NOW - 60,
         "runs": [{"id": 2, "trigger": "manual", "status": "failed", "started_at": NOW - 60,
                   "message": "The passphrase does not open it."},
                  {"id": 1, "trigger": "schedule", "status": "ok", "started_at": NOW - 86400,
                   "files": 3, "bytes": 1_500_000, "added": 2000,
                   "message": "3 files (1.5 MB); 2.0 kB stored anew"}]},
        {"id": 6, "name": "dav", "connection_id": 8, "source_path": "", "repository_id": 1,
         "schedule": "hourly", "retention": {}, "enabled": False, "status": "idle",
         "status_message": "", "next_run_at": NOW, "last_run_at": None, "runs": []},
    ]  # fmt: skip
    html = backup_rules_html(rules, {9: "s3"}, {1: "laptop"}, now=NOW)
    first, second = html.split('data-rule-id="6"')
    assert "s3:photos → laptop · daily at 02:00 · keeps 7 daily, 4 weekly" in first
    assert '<span class="rule-message error">The passphrase does not open it.</span>' in first
    assert "last run 60 s ago · next in 60 min" in first
    assert "just now" in backup_rules_html(rules, {}, {}, now=NOW - 57)  # clocks a little apart
    assert "24 h ago · schedule · backed up · 3 files (1.5 MB); 2.0 kB stored anew" in first
    assert "?:/ → laptop · paused · keeps every backup" in second
    assert "paused: it runs only when you say" in second and "Resume" in second
    assert "last run never" in second and " · next" not in second
    assert "No provider backup yet" in backup_rules_html([], {}, {})


def test_restores_say_where_and_how_they_went() -> None:
    restores = [{"id": 1, "repository_id": 1, "archive": "a", "path": "", "connection_id": 9,
                 "dest_path": "back", "status": "ok", "message": "3 files restored."}]  # fmt: skip
    html = restores_html(restores, {9: "s3"})
    assert "everything from a → s3:back · <span" in html and "3 files restored.</span>" in html
    failed = restores_html([{**restores[0], "status": "failed", "message": "Disk full."}], {})
    assert "failed: Disk full." in failed and "→ ?:back" in failed
    assert restores_html([], {}) == ""
    assert retention_text({}) == "keeps every backup"


def test_a_running_restore_shows_its_progress_and_a_cancel_button() -> None:
    running = {"id": 4, "repository_id": 1, "archive": "a", "path": "docs", "connection_id": 9,
               "dest_path": "", "status": "running", "message": "", "files": 3,
               "files_total": 12, "bytes": 1_500_000, "bytes_total": 6_000_000}  # fmt: skip
    html = restores_html([running], {9: "s3"})
    assert 'data-restore-id="4"' in html and '<progress value="1500000" max="6000000"' in html
    assert "3 of 12 files · 1.5 MB of 6.0 MB" in html and 'data-action="cancel">Cancel' in html
    asked = restores_html([{**running, "cancel_requested": True}], {})
    assert "disabled>Stopping…" in asked
    counting = restores_html([{**running, "files_total": 0, "bytes_total": 0}], {})
    assert "reading the archive…" in counting and "<progress" not in counting
    for status in ("interrupted", "failed", "cancelled"):
        again = restores_html([{**running, "status": status, "message": "Stopped."}], {})
        assert 'data-action="restart">Start again' in again and "<progress" not in again
        assert f"{status}: Stopped." in again
    done = restores_html([{**running, "status": "ok", "message": "12 files restored."}], {})
    assert "data-action" not in done


def test_the_own_server_key_and_repository_say_what_to_paste_and_which_host_key() -> None:
    identity = {"public_key": "ssh-ed25519 AAAAkey syncoxide-backups-user-1",
                "fingerprint": "SHA256:abc",
                "authorized_keys": 'command="borg serve --restrict-to-path /path/to/repository"'
                                   ",restrict ssh-ed25519 AAAAkey c"}  # fmt: skip
    html = identity_html(identity)
    assert "command=&quot;borg serve --restrict-to-path /path/to/repository&quot;" in html
    assert "SHA256:abc" in html and "~/.ssh/authorized_keys" in html
    own = {"id": 3, "name": "nas", "encryption": "repokey-blake2", "passphrase_kept": True,
           "url": "ssh://me@nas:22/srv/b", "host_key": "SHA256:host",
           "settings": {"repository_url": "ssh://me@nas:22/srv/b",
                        "authorized_keys": "command=... ssh-ed25519 AAAAkey c"}}  # fmt: skip
    row = repositories_html([own])
    assert "on your SSH server, host key SHA256:host" in row
    assert "Line for ~/.ssh/authorized_keys there" in row and "ssh://me@nas:22/srv/b" in row
