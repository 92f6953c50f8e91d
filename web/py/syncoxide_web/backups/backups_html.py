"""HTML for the Backups view, from the backup API's JSON: hosting and keys, repositories,
archives and their folders, restores, and provider backup rules with their runs.

Pure functions of plain data, so they are checked without a browser. Every value from the
server is escaped: file names inside an archive come from whatever machine was backed up.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from syncoxide.units import format_bytes
from syncoxide_web.files.storage_html import modified
from syncoxide_web.sync.rules_html import moment, when

API = "/api/v1"
#: The settings a repository answers with, in the order and words shown to people.
SETTING_WORDS = (
    ("repository_url", "Repository URL"),
    ("authorized_keys", "Line for ~/.ssh/authorized_keys there"),
    ("borg_init", "Make it from your machine"),
    ("borg_create", "Back up a folder into it"),
    ("vorta", "In Vorta"),
)
RULE_STATUS_WORDS = {
    "idle": "waiting for its next run",
    "running": "backing up now",
    "ok": "backed up",
    "failed": "failed",
    "reconnect": "reconnect needed",
    "interrupted": "interrupted",
    "paused": "paused: it runs only when you say",
}
RESTORE_STATUS_WORDS = {
    "running": "restoring now",
    "ok": "restored",
    "failed": "failed",
    "cancelled": "cancelled",
    "interrupted": "interrupted",
}
#: Restores that can be started again (the server's ``RESTARTABLE``).
RESTARTABLE = ("interrupted", "failed", "cancelled")
RETENTION_ORDER = ("hourly", "daily", "weekly", "monthly", "yearly")
RESTORES_SHOWN = 10


# hosting and SSH keys


def settings_html(settings: dict[str, str]) -> str:
    """What to type into borg or Vorta, one copyable line each."""
    rows = "".join(
        f"<dt>{escape(words)}</dt><dd><code>{escape(settings[key])}</code></dd>"
        for key, words in SETTING_WORDS
        if key in settings
    )
    return f'<dl class="facts backup-settings">{rows}</dl>'


def hosting_html(hosting: dict[str, Any]) -> str:
    """Where your machines reach your hosted repositories, and the commands to type there."""
    where = (
        f"Your machines reach your repositories over SSH as "
        f"<code>{escape(hosting['ssh_login'])}@{escape(hosting['ssh_host'])}</code> on port "
        f"{int(hosting['ssh_port'])}, in your own folder <code>{escape(hosting['area'])}</code>; "
        "each key below reaches that folder and nothing else."
    )
    if not hosting["ssh_ready"]:
        where += (
            ' <span class="muted">The server\'s operator has not set up its SSH account yet: '
            "your keys are kept and start working once it is.</span>"
        )
    example = hosting.get("settings") or {}
    commands = (
        "<details><summary>Commands and Vorta settings for a new repository "
        "(replace NAME)</summary>" + settings_html(example) + "</details>"
        if example
        else ""
    )
    return f"<p>{where}</p>{commands}"


def _key_words(key: dict[str, Any]) -> str:
    kind, _, blob = str(key["public_key"]).partition(" ")
    limits = ["append-only: it can add backups but not delete them"] if key["append_only"] else []
    if key["quota"]:
        limits.append(f"at most {key['quota']}B in each repository")
    shown = f"{kind} …{blob[-12:]}"
    return f"{shown} · added {modified(int(key['created_at']))} UTC" + "".join(
        f" · {limit}" for limit in limits
    )


def keys_html(keys: list[dict[str, Any]]) -> str:
    if not keys:
        return '<p class="muted">No SSH key yet: add the public key of each machine to back up.</p>'
    items = "".join(
        f'<li class="backup-key" data-key-id="{int(key["id"])}">'
        f"<strong>{escape(key['label'])}</strong> "
        f'<span class="muted">{escape(_key_words(key))}</span> '
        '<button type="button" data-action="delete">Delete</button></li>'
        for key in keys
    )
    return f'<ul class="backup-keys">{items}</ul>'


# repositories


def identity_html(identity: dict[str, Any]) -> str:
    """The key this server logs in with, and the line to add on the user's own SSH server."""
    return (
        "<p>This server logs in to your SSH server with its own key for you. Add this line to "
        "<code>~/.ssh/authorized_keys</code> of the account in the URL, with your repository's "
        "path in place of <code>/path/to/repository</code>: the key can then run only "
        "<code>borg serve</code> in that folder.</p>"
        f'<pre class="backup-authorized-line">{escape(identity["authorized_keys"])}</pre>'
        f'<p class="muted">Key fingerprint {escape(identity["fingerprint"])}. The SSH server\'s '
        "own key is remembered the first time; if it ever changes, the server refuses to "
        "connect and says so.</p>"
    )


def _repository_state(repo: dict[str, Any], kept: bool) -> str:
    if repo.get("url"):
        return f"on your SSH server, host key {repo.get('host_key', '')}"
    if kept:
        return (
            "the server keeps its passphrase (sealed): browse it here and back up providers into it"
        )
    return "only your machines can open it: give its passphrase to browse it here"


def repositories_html(repositories: list[dict[str, Any]]) -> str:
    if not repositories:
        return '<p class="muted">No repository yet.</p>'
    items = []
    for repo in repositories:
        kept = bool(repo["passphrase_kept"])
        state = _repository_state(repo, kept)
        details = (
            "Its URL and the line for authorized_keys"
            if repo.get("url")
            else ("Settings for borg and Vorta")
        )
        buttons = (
            '<button type="button" data-action="browse">Show backups</button> '
            '<button type="button" data-action="forget-passphrase">Forget passphrase</button> '
            if kept
            else '<button type="button" data-action="keep-passphrase">Give passphrase…</button> '
        )
        items.append(
            f'<li class="backup-repository" data-repository-id="{int(repo["id"])}"'
            f' data-kept="{str(kept).lower()}"><strong>{escape(repo["name"])}</strong> '
            f'<span class="muted">{escape(repo["encryption"])} · {escape(state)}</span><br>'
            f"{buttons}"
            '<button type="button" data-action="forget">Remove from the list</button>'
            f"<details><summary>{details}</summary>"
            f"{settings_html(repo['settings'])}</details></li>"
        )
    return f'<ul class="backup-repositories">{"".join(items)}</ul>'


def repository_choices(repositories: list[dict[str, Any]]) -> str:
    """The repositories the server can open itself (it keeps their passphrase)."""
    return "".join(
        f'<option value="{int(r["id"])}">{escape(r["name"])}</option>'
        for r in repositories
        if r["passphrase_kept"]
    )


# archives


def archive_operation(repository_id: int, archive: str, what: str, path: str = "") -> str:
    """An archive's ``entries``, ``file``, ``zip`` or ``restore`` operation, for ``path``."""
    base = f"/backups/repositories/{int(repository_id)}/archives/{quote(archive, safe='')}/{what}"
    return f"{base}?path={quote(path, safe='')}" if path else base


def archive_url(repository_id: int, archive: str, what: str, path: str = "") -> str:
    """The address a download link points at (the browser streams it with the cookie)."""
    return API + archive_operation(repository_id, archive, what, path)


def archives_html(archives: list[dict[str, Any]]) -> str:
    if not archives:
        return '<p class="muted">No backup in this repository yet.</p>'
    items = "".join(
        f'<li class="archive" data-archive="{escape(a["name"])}">'
        f'<button type="button" class="link" data-action="open">{escape(a["name"])}</button> '
        f'<span class="muted">{escape(modified(int(a["time"])))} UTC</span></li>'
        for a in archives
    )
    return f'<ul class="archives">{items}</ul>'


def archive_crumbs_html(archive: str, path: str) -> str:
    """The archive, then each folder down to ``path``, each a button back to it."""
    crumbs = [f'<button type="button" data-folder="">{escape(archive)}</button>']
    parts = path.split("/") if path else []
    for depth, part in enumerate(parts, start=1):
        target = "/".join(parts[:depth])
        crumbs.append(
            f'<button type="button" data-folder="{escape(target)}">{escape(part)}</button>'
        )
    return " / ".join(crumbs)


def _entry_row(repository_id: int, archive: str, entry: dict[str, Any]) -> str:
    path, name, kind = str(entry["path"]), escape(str(entry["name"])), str(entry["kind"])
    zip_link = ""
    if kind == "dir":
        shown = f'<button type="button" class="link" data-folder="{escape(path)}">{name}/</button>'
        size = "folder"
        zip_href = escape(archive_url(repository_id, archive, "zip", path))
        zip_link = f'<a href="{zip_href}" download="{name}.zip">Download as zip</a> '
    elif kind == "file":
        href = escape(archive_url(repository_id, archive, "file", path))
        shown = f'<a href="{href}" download="{name}">{name}</a>'
        size = escape(format_bytes(int(entry["size"])))
    else:  # links, devices, fifos: listed as they were, not downloadable
        target = entry.get("link_target") or ""
        shown = f"{name}" + (f' <span class="muted">→ {escape(target)}</span>' if target else "")
        size = escape(kind)
    restore = (
        f'<button type="button" data-action="restore" data-path="{escape(path)}">Restore…</button>'
    )
    return (
        f'<tr class="archive-entry" data-path="{escape(path)}" data-kind="{escape(kind)}">'
        f'<td>{shown}</td><td class="num">{size}</td>'
        f"<td>{escape(modified(int(entry['mtime'])))}</td><td>{zip_link}{restore}</td></tr>"
    )


def entries_html(repository_id: int, archive: str, path: str, entries: list[dict[str, Any]]) -> str:
    """A folder of an archive, folders first: download links, zips, and restore buttons."""
    if not entries:
        return '<p class="muted">This folder is empty.</p>'
    ordered = sorted(entries, key=lambda e: (e["kind"] != "dir", str(e["name"]).casefold()))
    rows = "".join(_entry_row(repository_id, archive, e) for e in ordered)
    return (
        '<table class="files archive-entries"><thead><tr><th>Name</th><th>Size</th>'
        f"<th>Modified</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _restore_words(status: str, message: str) -> str:
    """A finished restore's own account ("3 files restored into ..."), else where it stands."""
    if status == "ok" and message:
        return message
    words = RESTORE_STATUS_WORDS.get(status, status)
    return f"{words}: {message}" if message else words


def restore_progress_html(restore: dict[str, Any]) -> str:
    """A running restore's bar and counts: ``3 of 12 files · 1.2 MB of 5.0 MB``."""
    files, files_total = int(restore.get("files", 0)), int(restore.get("files_total", 0))
    done, total = int(restore.get("bytes", 0)), int(restore.get("bytes_total", 0))
    if not files_total and not total:
        return '<span class="restore-progress">reading the archive…</span>'
    counts = (
        f"{files} of {files_total} file{'s' if files_total != 1 else ''} · "
        f"{format_bytes(done)} of {format_bytes(total)}"
    )
    return (
        f'<progress value="{min(done, total)}" max="{max(total, 1)}" '
        f'aria-label="Restored so far"></progress> '
        f'<span class="restore-progress">{escape(counts)}</span>'
    )


def _restore_buttons(restore: dict[str, Any]) -> str:
    status = str(restore["status"])
    if status == "running":
        asked = bool(restore.get("cancel_requested"))
        return (
            ' <button type="button" data-action="cancel"'
            f"{' disabled' if asked else ''}>{'Stopping…' if asked else 'Cancel'}</button>"
        )
    if status in RESTARTABLE:
        return ' <button type="button" data-action="restart">Start again</button>'
    return ""


def restores_html(restores: list[dict[str, Any]], names: dict[int, str]) -> str:
    if not restores:
        return ""
    items = []
    for restore in restores[:RESTORES_SHOWN]:
        status = str(restore["status"])
        what = restore["path"] or "everything"
        into = f"{names.get(int(restore['connection_id']), '?')}:{restore['dest_path'] or '/'}"
        state = _restore_words(status, restore["message"])
        progress = restore_progress_html(restore) if status == "running" else ""
        items.append(
            f'<li class="backup-restore" data-status="{escape(status)}" '
            f'data-restore-id="{int(restore["id"])}">'
            f"{escape(what)} from {escape(restore['archive'])} → {escape(into)} · "
            f'<span class="restore-state">{escape(state)}</span> {progress}'
            f"{_restore_buttons(restore)}</li>"
        )
    return f'<h3>Restores</h3><ul class="backup-restores">{"".join(items)}</ul>'


# provider backup rules


def retention_text(retention: dict[str, int]) -> str:
    """``keeps 7 daily, 4 weekly`` (``keeps every backup`` when nothing is pruned)."""
    kept = [f"{retention[k]} {k}" for k in RETENTION_ORDER if retention.get(k)]
    return "keeps " + ", ".join(kept) if kept else "keeps every backup"


def _run_html(run: dict[str, Any], now: float | None) -> str:
    """One run: when, what started it, how it went, and the server's account of it (files,
    sizes, or what failed)."""
    status = str(run["status"])
    return (
        f'<li class="run" data-status="{escape(status)}">'
        f"{escape(moment(run['started_at'], now))} · {escape(run['trigger'])} · "
        f"{escape(RULE_STATUS_WORDS.get(status, status))} · {escape(run['message'])}</li>"
    )


def backup_rules_html(
    rules: list[dict[str, Any]],
    connections: dict[int, str],
    repositories: dict[int, str],
    now: float | None = None,
) -> str:
    if not rules:
        return '<p class="muted">No provider backup yet.</p>'
    items = []
    for rule in rules:
        status = str(rule["status"])
        enabled = bool(rule.get("enabled", True))
        state = "paused" if not enabled and status == "idle" else status
        source = f"{connections.get(int(rule['connection_id']), '?')}:{rule['source_path'] or '/'}"
        into = repositories.get(int(rule["repository_id"]), "?")
        schedule = rule["schedule"] if enabled else "paused"
        failed = status in ("failed", "reconnect")
        message_class = "rule-message error" if failed else "rule-message"
        runs = "".join(_run_html(r, now) for r in rule.get("runs", []))
        toggle = "Pause" if enabled else "Resume"
        next_run = f" · next {escape(when(rule.get('next_run_at'), now))}" if enabled else ""
        items.append(
            f'<li class="backup-rule" data-rule-id="{int(rule["id"])}"'
            f' data-status="{escape(status)}"><strong>{escape(rule["name"])}</strong> · '
            f"{escape(source)} → {escape(into)} · {escape(schedule)} · "
            f"{escape(retention_text(rule.get('retention') or {}))}<br>"
            f'<span class="rule-state">{escape(RULE_STATUS_WORDS.get(state, state))}</span> '
            f'<span class="{message_class}">{escape(rule.get("status_message") or "")}</span> '
            f'<span class="muted">last run {escape(moment(rule.get("last_run_at"), now))}'
            f"{next_run}</span><br>"
            '<button type="button" data-action="run">Run now</button> '
            f'<button type="button" data-action="toggle">{toggle}</button> '
            '<button type="button" data-action="delete">Delete</button>'
            f'<details><summary>Last runs</summary><ol class="runs">{runs}</ol></details></li>'
        )
    return f'<ul class="backup-rules">{"".join(items)}</ul>'
