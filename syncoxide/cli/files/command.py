"""``syncoxide files ls|search|recent|starred|star|unstar|trash|restore|versions|stats|dupes``.

Each subcommand is one call to the signed-in server's ``/api/v1/catalog`` through the same
client as ``whoami`` and ``share`` (``--server``/``--token``, else the environment, else what
``syncoxide login`` saved). Places are written ``PROVIDER:path``; ``home:`` is the server's own
storage. Paths are checked here before anything is sent, so ``..`` or a missing provider name
fails at once with exit code 2. ``--json`` prints the server's answer as it came.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from syncoxide.catalog.model import HOME, Location, parse_location
from syncoxide.cli.files import render
from syncoxide.cli.login import add_server_options, call_api, resolve_server
from syncoxide.errors import UsageError

EXIT_OK = 0
MAX_PAGE = 1000  # the API's own page limit (syncoxide.server.catalog.entries_json.MAX_PAGE)
BASE = "/catalog"

Printer = Callable[[dict[str, Any]], None]


def register(commands: Any) -> None:
    files = commands.add_parser(
        "files",
        help="your files across providers: list, search, star, trash, versions",
        description="The signed-in server's index of your files. Places are PROVIDER:path; "
        "home: is your storage on the server.",
    )
    actions = files.add_subparsers(dest="files_action", metavar="ACTION")
    actions.required = True
    common, paged = _common_options()

    ls = actions.add_parser("ls", parents=[paged], help="what a folder holds (default home:)")
    ls.add_argument("place", nargs="?", default=f"{HOME}:", help="PROVIDER:path")
    ls.add_argument(
        "--refresh", action="store_true", help="bring the provider's index up to date first"
    )
    ls.set_defaults(run=_ls)

    search = actions.add_parser("search", parents=[paged], help="search every indexed file")
    search.add_argument(
        "query", nargs="+", help="words, and filters: type: ext: in: path: size: after: before:"
    )
    search.set_defaults(run=_search)

    for name, what, run, options in (
        ("recent", "files you created, changed or opened, newest first", _recent, paged),
        ("starred", "your starred files", _starred, paged),
        ("trash", "what you deleted from home: (ids for restore)", _trash, common),
        ("stats", "space by provider and type; largest files", _stats, paged),
        ("dupes", "files with the same content, across providers", _dupes, paged),
    ):
        actions.add_parser(name, parents=[options], help=what).set_defaults(run=run)

    for name, starred in (("star", True), ("unstar", False)):
        star = actions.add_parser(name, parents=[common], help=f"{name} a file or folder")
        star.add_argument("place", help="PROVIDER:path")
        star.set_defaults(run=_star, starred=starred)

    restore = actions.add_parser(
        "restore", parents=[common], help="put a deleted file or folder back (id from `trash`)"
    )
    restore.add_argument("id", type=_item_id, help="the trash item's id")
    restore.add_argument("--to", help="restore at this home:path instead of where it was")
    restore.set_defaults(run=_restore)

    versions = actions.add_parser(
        "versions",
        parents=[common],
        help="old versions of a file (home:, or kept by its provider: S3 versions, Drive and"
        " Dropbox revisions); --restore",
    )
    versions.add_argument("place", help="PROVIDER:path of the file")
    versions.add_argument("--restore", metavar="ID", help="make this one current")
    versions.set_defaults(run=_versions)


def _common_options() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Options of every action, and those plus ``--limit`` for the ones the API pages."""
    common = argparse.ArgumentParser(add_help=False)
    add_server_options(common)
    common.add_argument("--json", action="store_true", help="print the server's JSON answer")
    paged = argparse.ArgumentParser(add_help=False, parents=[common])
    paged.add_argument(
        "--limit", type=_limit, default=None, help=f"at most this many (1 to {MAX_PAGE})"
    )
    return common, paged


def _limit(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def _item_id(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) < 2**62:
        raise argparse.ArgumentTypeError("must be an id as `files trash` or `versions` print it")
    return int(raw)


# -- one function per action -------------------------------------------------------------------


def _ls(args: argparse.Namespace) -> int:
    place = parse_location(args.place)
    server, token = resolve_server(args)
    _check_provider(server, token, place)
    if args.refresh:
        _refresh(server, token, place.source)
    query = {"location": f"{place.source}:{place.path}", **_page(args)}
    return _show(args, _get(server, token, "", query), render.entries)


def _search(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    answer = _get(server, token, "/search", {"q": " ".join(args.query), **_page(args)})
    return _show(args, answer, render.entries)


def _recent(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    return _show(args, _get(server, token, "/recent", _page(args)), render.recent)


def _starred(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    return _show(args, _get(server, token, "/starred", _page(args)), render.entries)


def _star(args: argparse.Namespace) -> int:
    place = parse_location(args.place, root_ok=False)
    server, token = resolve_server(args)
    _check_provider(server, token, place)
    body = {"location": f"{place.source}:{place.path}", "starred": args.starred}
    answer = call_api(server, token, "PUT", f"{BASE}/star", body=body)
    return _show(args, answer, render.starred(args.starred))


def _trash(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    return _show(args, _get(server, token, "/trash", {}), render.items)


def _restore(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"id": args.id}
    if args.to:
        body["to"] = _home_path(args.to)
    server, token = resolve_server(args)
    answer = call_api(server, token, "POST", f"{BASE}/trash/restore", body=body)
    return _show(args, answer, render.restored)


def _versions(args: argparse.Namespace) -> int:
    place = parse_location(args.place, root_ok=False)
    if place.source != HOME:
        return _provider_versions(args)
    restore = None if args.restore is None else _item_id_or_usage(args.restore)
    server, token = resolve_server(args)
    if restore is not None:
        body = {"id": restore}
        answer = call_api(server, token, "POST", f"{BASE}/versions/restore", body=body)
        return _show(args, answer, render.restored)
    return _show(args, _get(server, token, "/versions", {"path": place.path}), render.items)


def _provider_versions(args: argparse.Namespace) -> int:
    """Versions the provider of a connection keeps itself (ids are the provider's own)."""
    server, token = resolve_server(args)
    if args.restore is not None:
        body = {"location": args.place, "version_id": args.restore}
        answer = call_api(server, token, "POST", f"{BASE}/provider-versions/restore", body=body)
        return _show(args, answer, render.restored_at)
    query = {"location": args.place}
    return _show(args, _get(server, token, "/provider-versions", query), render.provider_versions)


def _item_id_or_usage(raw: str) -> int:
    try:
        return _item_id(raw)
    except argparse.ArgumentTypeError as error:
        raise UsageError(f"--restore {raw!r}: {error}.") from None


def _stats(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    return _show(args, _get(server, token, "/stats", _page(args)), render.stats)


def _dupes(args: argparse.Namespace) -> int:
    server, token = resolve_server(args)
    return _show(args, _get(server, token, "/dupes", _page(args)), render.dupes)


# -- shared steps ------------------------------------------------------------------------------


def _page(args: argparse.Namespace) -> dict[str, str]:
    return {} if args.limit is None else {"limit": str(args.limit)}


def _get(server: str, token: str, path: str, query: dict[str, str]) -> dict[str, Any]:
    suffix = f"?{urlencode(query)}" if query else ""
    return call_api(server, token, "GET", f"{BASE}{path}{suffix}")


def _show(args: argparse.Namespace, answer: dict[str, Any], printer: Printer) -> int:
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        printer(answer)
    return EXIT_OK


def _home_path(raw: str) -> str:
    """Trash and versions are kept for the server's own storage only: ``home:path``."""
    place = parse_location(raw, root_ok=False)
    if place.source != HOME:
        raise UsageError(
            f"{raw!r} is on {place.source!r}; trash and versions here are those of home:.",
            hint="Write home:path, for example home:notes/plan.txt.",
        )
    return place.path


def _refresh(server: str, token: str, source: str) -> None:
    """Re-read one provider into the index; a provider that cannot be read is said, not fatal:
    the listing that follows shows what the index last knew."""
    answer = call_api(server, token, "POST", f"{BASE}/refresh", body={"source": source})
    for report in answer["sources"]:
        if report["error"]:
            print(
                f"syncoxide: could not refresh {report['source']}: {report['error']}",
                file=sys.stderr,
            )


def _check_provider(server: str, token: str, place: Location) -> None:
    """An unknown provider would list as an empty folder; say it does not exist instead."""
    if place.source == HOME:
        return
    names = [c["name"] for c in call_api(server, token, "GET", "/connections")["connections"]]
    if place.source not in names:
        known = ", ".join(f"{name}:" for name in [HOME, *names])
        raise UsageError(
            f"You have no provider named {place.source!r}.",
            hint=f"Your providers: {known}",
        )
