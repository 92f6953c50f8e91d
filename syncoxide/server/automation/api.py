"""API operations for automation rules and the job queue (progress, cancel, dead letters)."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import HTTPConnection

from syncoxide.errors import InvalidInputError, NotFoundError
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import BOOL, INT, STR, Call, Operation, obj
from syncoxide.server.automation.queue import STATUSES, Job
from syncoxide.server.automation.rules import (
    CONNECTION,
    KEEP,
    KIND_SUFFIXES,
    REQUEST,
    SHARE,
    SOURCE_KINDS,
    AutomationRule,
    checked_rule,
)
from syncoxide.server.automation.service import AutomationService
from syncoxide.server.files.names import checked_path
from syncoxide.server.links.share_routes import links_of
from syncoxide.server.rules.store import Connection

_ID = {"type": "integer", "minimum": 1, "maximum": 2**62}
_RULE = obj(
    ("id", "name", "source_kind", "source", "match_types", "match_name", "max_bytes", "output",
     "options", "target_folder", "combine", "original", "enabled", "created_at",
     "connection_id", "place", "watching_since"),
    id=INT, name=STR, source_kind=STR, source=STR, connection_id={"type": ["integer", "null"]},
    place=STR, watching_since={"type": ["number", "null"]},
    match_types={"type": "array", "items": STR}, match_name=STR, max_bytes=INT, output=STR,
    options={"type": "object"}, target_folder=STR, combine=BOOL, original=STR, enabled=BOOL,
    created_at=INT,
)  # fmt: skip
_OPTIONS = obj(
    (),
    max_size={"type": "integer", "minimum": 16, "maximum": 20000},
    quality={"type": "integer", "minimum": 1, "maximum": 100},
    watermark={"type": "string", "maxLength": 200},
    watermark_image={"type": "string", "maxLength": 1000},
)
_NEW_RULE = obj(
    ("name", "source_kind", "source", "output"),
    name={"type": "string", "minLength": 1, "maxLength": 100},
    source_kind={"type": "string", "enum": list(SOURCE_KINDS)},
    source={"type": "string", "maxLength": 1000},
    match_types={"type": "array", "items": {"type": "string", "enum": sorted(KIND_SUFFIXES)}},
    match_name={"type": "string", "maxLength": 200},
    max_bytes={"type": "integer", "minimum": 0, "maximum": 2**62},
    output={"type": "string", "pattern": "^(/|[a-z0-9]{2,5})$"},
    options=_OPTIONS,
    target_folder={"type": "string", "maxLength": 1000},
    combine=BOOL,
    original={"type": "string", "enum": ["keep", "move"]},
)
_JOB = obj(
    ("id", "kind", "status", "attempts", "max_attempts", "progress", "error_code", "message",
     "result", "rule", "items", "output", "created_at", "finished_at"),
    id=INT, kind=STR, status=STR, attempts=INT, max_attempts=INT, progress={"type": "number"},
    error_code=STR, message=STR, result={"type": "object"}, rule={"type": ["integer", "null"]},
    items={"type": "array", "items": STR}, output=STR, created_at={"type": "number"},
    finished_at={"type": ["number", "null"]}, run_after={"type": "number"},
    cancel_requested=BOOL,
)  # fmt: skip


def automation_of(connection: HTTPConnection) -> AutomationService:
    service: AutomationService = connection.app.state.automation
    return service


_SAID = ("place", "watching_since")


def rule_json(
    rule: AutomationRule, names: dict[int, str], since: float | None = None
) -> dict[str, Any]:
    """The rule, with ``place`` saying what it watches in words (``names``: connections) and,
    for a polled place, ``watching_since``: when its first look was (files from then on are
    arrivals; None until it happened)."""
    found = {name: getattr(rule, name) for name in _RULE["properties"] if name not in _SAID}
    return {**found, "place": _place(rule, names), "watching_since": since}


def _since(service: AutomationService, rule: AutomationRule) -> float | None:
    if service.arrivals is None or not rule.polled:
        return None
    return service.arrivals.seen.watching_since(rule.id)


def _place(rule: AutomationRule, names: dict[int, str]) -> str:
    if rule.source_kind == REQUEST:
        return f"request link {rule.source}"
    if rule.source_kind == SHARE:
        return f"account share {rule.source}"
    if rule.source_kind == CONNECTION and rule.connection_id is not None:
        return f"{names.get(rule.connection_id, '(deleted connection)')}:{rule.source}"
    return f"folder /{rule.source}"


async def _connection_names(call: Call) -> dict[int, str]:
    store = automation_of(call.request).places.connections
    return {c.id: c.name for c in await store.connections(call.user.id)}


def job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "progress": job.progress,
        "error_code": job.error_code,
        "message": job.message,
        "result": job.result,
        "rule": job.payload.get("rule"),
        "items": [item["name"] for item in job.payload.get("items", [])],
        "output": job.payload.get("output", ""),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "run_after": job.run_after,
        "cancel_requested": job.cancel_requested,
    }


async def list_rules(call: Call) -> dict[str, Any]:
    service = automation_of(call.request)
    names = await _connection_names(call)
    rules = service.rules.of_user(call.user.id)
    return {"rules": [rule_json(rule, names, _since(service, rule)) for rule in rules]}


async def add_rule(call: Call) -> dict[str, Any]:
    body = call.json
    source, connection_id = body["source"], None
    if body["source_kind"] == REQUEST:
        await _check_request_link(call, source)
    elif body["source_kind"] == CONNECTION:
        connection, source = await _connection_folder(call, source)
        connection_id = connection.id
    elif body["source_kind"] == SHARE:
        source = await _check_share(call, source)
    elif source:
        source = checked_path(source)
    target = checked_path(body.get("target_folder", ""), root_ok=True)
    options = _checked_options(call, body.get("options", {}))
    rule = AutomationRule(
        id=0,
        user_id=call.user.id,
        name=body["name"],
        source_kind=body["source_kind"],
        source=source,
        match_types=body.get("match_types", []),
        match_name=body.get("match_name", ""),
        max_bytes=body.get("max_bytes", 0),
        output=body["output"],
        options=options,
        target_folder=target,
        combine=body.get("combine", False),
        original=body.get("original", KEEP),
        enabled=True,
        created_at=int(time.time()),
        connection_id=connection_id,
    )
    service = automation_of(call.request)
    added = service.rules.add(checked_rule(rule))
    if service.arrivals is not None and added.polled:
        service.arrivals.wake()  # its first look, so arrivals count from now
    return rule_json(added, await _connection_names(call))


async def _connection_folder(call: Call, text: str) -> tuple[Connection, str]:
    """``NAME:folder`` of one of the caller's own connections (another's is not found)."""
    name, colon, folder = text.partition(":")
    store = automation_of(call.request).places.connections
    found = [c for c in await store.connections(call.user.id) if c.name == name]
    if not colon or not found or found[0].kind == "home":
        raise NotFoundError(
            f"You have no connection {name!r}.",
            hint="Write the source as NAME:folder, NAME being one of your connections.",
        )
    folder = folder.strip("/")
    return found[0], checked_path(folder) if folder else ""


async def _check_share(call: Call, text: str) -> str:
    """An account share the caller takes part in, accepted (its place is found at each look)."""
    if not text.isdigit():
        raise InvalidInputError("A share rule's source is the account share's number.")
    await automation_of(call.request).places.of_share(call.user.id, int(text))
    return str(int(text))


def _checked_options(call: Call, options: dict[str, Any]) -> dict[str, Any]:
    """A watermark image is one of the user's files, there now (each job reads it afresh)."""
    logo = options.get("watermark_image")
    if not logo:
        return options
    path = checked_path(logo)
    automation_of(call.request).files.file(call.user.id, path)  # NotFoundError if it is not
    return {**options, "watermark_image": path}


async def _check_request_link(call: Call, link_id: str) -> None:
    link = await links_of(call.request).store.get(link_id)
    if link is None or link.user_id != call.user.id or link.kind != "request":
        raise NotFoundError(f"You have no request link {link_id!r}.")
    if link.public_key:
        raise InvalidInputError(
            "This request link is end-to-end encrypted: the server cannot read what arrives,"
            " so it cannot convert it. Convert the files after you decrypt them."
        )


async def remove_rule(call: Call) -> None:
    rule_id = int(call.request.path_params["automation_rule_id"])
    if not automation_of(call.request).rules.remove(call.user.id, rule_id):
        raise ApiError(404, "not_found", "No such automation rule.")


async def list_jobs(call: Call) -> dict[str, Any]:
    status = call.request.query_params.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError(400, "bad_query", f"status is one of {', '.join(STATUSES)}.")
    rule = call.int_query("rule", 0, 0, 2**62)
    limit = call.int_query("limit", 50, 1, 500)
    jobs = automation_of(call.request).queue.list(call.user.id, status, limit if not rule else 500)
    if rule:
        jobs = [job for job in jobs if job.payload.get("rule") == rule][:limit]
    return {"jobs": [job_json(job) for job in jobs]}


def _job_id(call: Call) -> int:
    return int(call.request.path_params["job_id"])


def _found(job: Job | None) -> dict[str, Any]:
    if job is None:
        raise ApiError(404, "not_found", "No such job.")
    return job_json(job)


async def get_job(call: Call) -> dict[str, Any]:
    return _found(automation_of(call.request).queue.get(call.user.id, _job_id(call)))


async def cancel_job(call: Call) -> dict[str, Any]:
    return _found(automation_of(call.request).cancel_job(call.user.id, _job_id(call)))


async def retry_job(call: Call) -> dict[str, Any]:
    service = automation_of(call.request)
    job = _found(service.queue.retry(call.user.id, _job_id(call)))
    if service.worker is not None:
        service.worker.wake()
    return job


_RULE_PATH = "/automation/rules/{automation_rule_id:int}"
_JOB_PATH = "/jobs/{job_id:int}"
AUTOMATION_OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/automation/rules", list_rules, "The caller's automation rules",
              answer=obj(("rules",), rules={"type": "array", "items": _RULE})),
    Operation("POST", "/automation/rules", add_rule,
              "Add a rule: when a file arrives in a request link, a folder of your storage or"
              " of a connection (source NAME:folder), or an account share (source its id),"
              " convert it",
              body=_NEW_RULE, answer=_RULE, status=201),
    Operation("DELETE", _RULE_PATH, remove_rule, "Remove an automation rule", status=204),
    Operation("GET", "/jobs", list_jobs,
              "The caller's jobs, newest first (status=dead: the dead-letter list)",
              answer=obj(("jobs",), jobs={"type": "array", "items": _JOB}),
              query=(("status", {"type": "string", "enum": list(STATUSES)}),
                     ("rule", {"type": "integer", "minimum": 0}),
                     ("limit", {"type": "integer", "minimum": 1, "maximum": 500}))),
    Operation("GET", _JOB_PATH, get_job, "One job with its progress", answer=_JOB),
    Operation("POST", _JOB_PATH + "/cancel", cancel_job,
              "Cancel a job (a running one is stopped within a second)", answer=_JOB),
    Operation("POST", _JOB_PATH + "/retry", retry_job,
              "Queue a dead or cancelled job again", answer=_JOB),
)  # fmt: skip
