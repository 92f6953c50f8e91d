"""``syncoxide automate add|list|remove|runs|cancel|retry``: automation rules on a server.

    syncoxide automate add scans --request r_AbC --match image --to pdf --into Scans --combine
    syncoxide automate add phones --folder Camera --match image --to jpg --max-size 2048 \\
        --into Camera/small
    syncoxide automate add nas-web --connection nas:Photos --match image --to webp
    syncoxide automate add family --share 12 --match image --to jpg --max-size 1600
    syncoxide automate list
    syncoxide automate runs [RULE_ID] [--dead]
    syncoxide automate cancel JOB_ID | retry JOB_ID
    syncoxide automate remove RULE_ID

Each is one call to ``/api/v1/automation/rules`` or ``/api/v1/jobs`` with the same server and
token options as every other server command. ``--json`` prints the server's answer as it came.
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from urllib.parse import urlencode

from syncoxide.cli.login import add_server_options, call_api, resolve_server


def register(commands: Any) -> None:
    automate = commands.add_parser(
        "automate",
        help="automation rules: convert files as they arrive on the server",
        description="When a file arrives in a request link, a folder of your server "
        "storage, a folder of one of your connections or an account share, and matches, "
        "convert it and put the result in a folder (for a connection or a share: inside the "
        "watched folder, next to the file unless --into names one).",
    )
    actions = automate.add_subparsers(dest="automate_action", metavar="ACTION")
    actions.required = True
    common = argparse.ArgumentParser(add_help=False)
    add_server_options(common)
    common.add_argument("--json", action="store_true", help="print the server's JSON answer")
    _add_command(actions, common)
    actions.add_parser("list", parents=[common], help="your rules").set_defaults(run=_list)
    remove = actions.add_parser("remove", parents=[common], help="remove a rule")
    remove.add_argument("rule", type=int, metavar="RULE_ID")
    remove.set_defaults(run=_remove)
    runs = actions.add_parser("runs", parents=[common], help="jobs, newest first")
    runs.add_argument("rule", type=int, nargs="?", default=0, metavar="RULE_ID")
    runs.add_argument("--dead", action="store_true", help="only the dead-letter list")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(run=_runs)
    for name, what in (("cancel", "stop a waiting or running job"),
                       ("retry", "queue a dead or cancelled job again")):  # fmt: skip
        job = actions.add_parser(name, parents=[common], help=what)
        job.add_argument("job", type=int, metavar="JOB_ID")
        job.set_defaults(run=_job_action, job_action=name)


def _add_command(actions: Any, common: argparse.ArgumentParser) -> None:
    add = actions.add_parser("add", parents=[common], help="add a rule")
    add.add_argument("name")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--request", metavar="LINK_ID", help="watch this request link")
    source.add_argument("--folder", metavar="PATH", help="watch this folder of your storage")
    source.add_argument(
        "--connection", metavar="NAME:FOLDER", help="watch this folder of one of your connections"
    )
    source.add_argument("--share", metavar="SHARE_ID", help="watch this account share")
    add.add_argument(
        "--match",
        action="append",
        default=[],
        metavar="KIND",
        choices=["image", "pdf", "office", "archive", "media"],
        help="only files of this kind (repeat for several)",
    )
    add.add_argument("--name-pattern", default="", metavar="GLOB", help="only names like this")
    add.add_argument("--max-bytes", type=int, default=0, help="only files up to this size")
    add.add_argument(
        "--to",
        required=True,
        metavar="TYPE",
        help="the output: pdf, jpg, webp, png, mp4, mp3, or / to unpack",
    )
    add.add_argument("--into", default="", metavar="FOLDER", help="where results go")
    add.add_argument(
        "--combine", action="store_true", help="gather arrivals that come together into one PDF"
    )
    add.add_argument(
        "--move-original",
        action="store_true",
        help="move each original beside its result (default: keep it)",
    )
    add.add_argument("--max-size", type=int, metavar="PIXELS")
    add.add_argument("--quality", type=int, metavar="Q")
    add.add_argument("--watermark", default="", metavar="TEXT")
    add.add_argument(
        "--watermark-image", default="", metavar="PATH", help="a logo among your stored files"
    )
    add.set_defaults(run=_add)


def _add(args: argparse.Namespace) -> int:
    options = {key: value for key, value in (
        ("max_size", args.max_size), ("quality", args.quality), ("watermark", args.watermark),
        ("watermark_image", args.watermark_image.strip("/")),
    ) if value}  # fmt: skip
    body = {
        "name": args.name,
        **_source(args),
        "match_types": args.match,
        "match_name": args.name_pattern,
        "max_bytes": args.max_bytes,
        "output": args.to.lstrip(".").lower() if args.to != "/" else "/",
        "options": options,
        "target_folder": args.into.strip("/"),
        "combine": args.combine,
        "original": "move" if args.move_original else "keep",
    }
    server, token = resolve_server(args)
    rule = call_api(server, token, "POST", "/automation/rules", body=body)
    return _show(args, rule, lambda r: print(f"rule {r['id']} added: {_describe(r)}"))


def _source(args: argparse.Namespace) -> dict[str, str]:
    if args.request:
        return {"source_kind": "request", "source": args.request}
    if args.connection:
        return {"source_kind": "connection", "source": args.connection}
    if args.share:
        return {"source_kind": "share", "source": args.share}
    return {"source_kind": "folder", "source": args.folder.strip("/")}


def _describe(rule: dict[str, Any]) -> str:
    kinds = "/".join(rule["match_types"]) or "any"
    place = rule["place"]
    output = "unpack" if rule["output"] == "/" else f".{rule['output']}"
    combined = " (combined)" if rule["combine"] else ""
    into = rule["target_folder"] or "/"
    return f"{rule['name']}: {kinds} in {place} -> {output}{combined} into {into}"


def _list(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    answer = call_api(server, token, "GET", "/automation/rules")

    def table(found: dict[str, Any]) -> None:
        for rule in found["rules"]:
            print(f"{rule['id']:>5}  {_describe(rule)}")
        if not found["rules"]:
            print("No automation rules yet: `syncoxide automate add --help`.")

    return _show(args, answer, table)


def _remove(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    call_api(server, token, "DELETE", f"/automation/rules/{args.rule}")
    print(f"rule {args.rule} removed")
    return 0


def _runs(args: argparse.Namespace) -> int:
    query = {"limit": args.limit, **({"rule": args.rule} if args.rule else {}),
             **({"status": "dead"} if args.dead else {})}  # fmt: skip
    server, token = resolve_server(args)
    answer = call_api(server, token, "GET", f"/jobs?{urlencode(query)}")

    def table(found: dict[str, Any]) -> None:
        for job in found["jobs"]:
            print(_job_line(job))
        if not found["jobs"]:
            print("No jobs.")

    return _show(args, answer, table)


def _job_line(job: dict[str, Any]) -> str:
    status = job["status"]
    if status == "running":
        status = f"running {job['progress']:.0%}"
    items = ", ".join(job["items"][:3]) + (" ..." if len(job["items"]) > 3 else "")
    said = f"  ({job['message']})" if job["message"] else ""
    return f"{job['id']:>6}  {status:<12} try {job['attempts']}/{job['max_attempts']}  " \
        f"{items} -> {job['output']}{said}"  # fmt: skip


def _job_action(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    job = call_api(server, token, "POST", f"/jobs/{args.job}/{args.job_action}")
    return _show(args, job, lambda j: print(_job_line(j)))


def _show(args: argparse.Namespace, answer: dict[str, Any], printer: Any) -> int:
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        printer(answer)
    return 0
