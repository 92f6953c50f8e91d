"""HTML of the Automation view: the rules, the rule form's body, and the jobs table."""

from __future__ import annotations

from html import escape
from typing import Any


def describe_rule(rule: dict[str, Any]) -> str:
    kinds = "/".join(rule["match_types"]) or "any file"
    place = rule["place"]
    output = "unpacked" if rule["output"] == "/" else f".{rule['output']}"
    combined = ", gathered into one" if rule["combine"] else ""
    moved = ", original moved beside it" if rule["original"] == "move" else ""
    target = rule["target_folder"]
    into = f"in /{target}"
    if rule["source_kind"] in ("connection", "share"):  # results stay in the watched folder
        into = f"in {target} inside it" if target else "next to each file"
    return f"{kinds} in {place} → {output}{combined} {into}{moved}"


def rules_html(rules: list[dict[str, Any]]) -> str:
    if not rules:
        return '<p class="muted">No automation rules yet.</p>'
    rows = "".join(
        f'<tr data-id="{int(rule["id"])}"><td>{escape(rule["name"])}</td>'
        f"<td>{escape(describe_rule(rule))}</td>"
        '<td><button type="button" data-action="remove">Remove</button></td></tr>'
        for rule in rules
    )
    head = "<thead><tr><th>Rule</th><th>What it does</th><th></th></tr></thead>"
    return f'<table class="files">{head}<tbody>{rows}</tbody></table>'


def rule_body(form: dict[str, str], combine: bool, move: bool) -> dict[str, Any]:
    """The API body of a new rule from the form's fields (strings as the browser gives them)."""
    body: dict[str, Any] = {
        "name": form["name"].strip(),
        "source_kind": form["source_kind"],
        "source": form["source"].strip().strip("/"),
        "output": form["output"].strip().lstrip(".").lower() or "pdf",
        "target_folder": form["target"].strip().strip("/"),
        "combine": combine,
        "original": "move" if move else "keep",
    }
    if form["match"]:
        body["match_types"] = [form["match"]]
    return body


_ACTIONS = {"queued": ("cancel",), "running": ("cancel",), "dead": ("retry",),
            "cancelled": ("retry",), "done": ()}  # fmt: skip


def jobs_html(jobs: list[dict[str, Any]]) -> str:
    if not jobs:
        return '<p class="muted">No jobs.</p>'
    rows = "".join(_job_row(job) for job in jobs)
    return (
        '<table class="files jobs"><thead><tr><th>Job</th><th>Status</th><th>Files</th>'
        f"<th>Result</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _job_row(job: dict[str, Any]) -> str:
    status = job["status"]
    shown = f"{status} {job['progress']:.0%}" if status == "running" else status
    tries = f"try {job['attempts']} of {job['max_attempts']}"
    items = ", ".join(job["items"][:3]) + (" …" if len(job["items"]) > 3 else "")
    message = f'<br><span class="muted">{escape(job["message"])}</span>' if job["message"] else ""
    buttons = " ".join(
        f'<button type="button" data-action="{action}">{action.capitalize()}</button>'
        for action in _ACTIONS.get(status, ())
    )
    return (
        f'<tr data-id="{int(job["id"])}" data-status="{escape(status)}"><td>{int(job["id"])}</td>'
        f'<td>{escape(shown)}<br><span class="muted">{tries}</span></td>'
        f"<td>{escape(items)}</td><td>{escape(job['output'])}{message}</td><td>{buttons}</td></tr>"
    )
