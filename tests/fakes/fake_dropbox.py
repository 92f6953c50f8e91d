"""A FAKE Dropbox v2 server (not Dropbox's): the documented subset syncoxide's provider uses.

Implemented: ``files/list_folder`` (+ ``/continue``, ``/get_latest_cursor``; cursor, limit,
recursive; a cursor at the end keeps working as a changes feed with ``deleted`` entries),
``get_metadata``, ``download`` (``Dropbox-API-Arg``, ``Range``; ``rev:<rev>`` paths), ``upload``,
``upload_session/start|append_v2|finish`` (offset checks answered with ``incorrect_offset``
and ``correct_offset``), ``move_v2``, ``delete_v2``, ``create_folder_v2``, ``content_hash``
(4 MiB-block SHA-256, checked when the client sends one), ``client_modified``,
``list_revisions`` (``mode: path``, newest first, ``limit`` 1-100) and ``restore`` (an unknown
rev is 409 ``invalid_revision``, a malformed one 400 as the real argument check), 409 route
errors with ``error_summary``, an OAuth token endpoint (``refresh_token`` grant), expiring
access tokens (401 ``expired_access_token``), and injected faults (``Faults``). RPC and
content endpoints are served from one origin here; the real service uses two hosts.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.fake_dropbox_store import DropboxError, DropboxStore, Item, Session
from tests.fakes.fake_oauth import FakeTokens, Faults

#: Dropbox's documented pattern for a rev (at least 9 hex digits).
_REV = re.compile(r"[0-9a-f]{9,}")
Handler = Callable[[dict[str, Any], bytes], Awaitable[Response]]


def _cursor(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _bad_input(name: str, reason: str) -> Response:
    """Dropbox checks arguments before the route runs and answers 400 with plain text."""
    return Response(f'Error in call to API function "files/{name}": request body: {reason}', 400)


def _uncursor(cursor: str) -> dict[str, Any]:
    try:
        return dict(json.loads(base64.urlsafe_b64decode(cursor.encode())))
    except ValueError:
        raise DropboxError("reset/") from None


class FakeDropbox:
    """The fake's state and routes. ``app`` is the ASGI app (faults wrapped around it)."""

    def __init__(self, token_lifetime: float = 14400.0) -> None:
        self.store = DropboxStore()
        self.tokens = FakeTokens(token_lifetime)
        rpc = {
            "list_folder": self.list_folder,
            "list_folder/continue": self.list_continue,
            "list_folder/get_latest_cursor": self.latest_cursor,
            "get_metadata": self.get_metadata,
            "create_folder_v2": self.create_folder,
            "delete_v2": self.delete,
            "move_v2": self.move,
            "list_revisions": self.list_revisions,
            "restore": self.restore,
        }
        content = {
            "download": self.download,
            "upload": self.upload,
            "upload_session/start": self.session_start,
            "upload_session/append_v2": self.session_append,
            "upload_session/finish": self.session_finish,
        }
        routes = [
            Route("/oauth2/token", self.tokens.token_endpoint, methods=["POST"]),
            Route("/oauth2/authorize", self.tokens.authorize, methods=["GET"]),
        ]
        routes += [self._route(name, handler, False) for name, handler in rpc.items()]
        routes += [self._route(name, handler, True) for name, handler in content.items()]
        self.faults = Faults(Starlette(routes=routes))
        self.app = self.faults

    def _route(self, name: str, handler: Handler, in_header: bool) -> Route:
        async def endpoint(request: Request) -> Response:
            if not self.tokens.valid(request):
                expired = {"error_summary": "expired_access_token/"}
                return JSONResponse(expired | {"error": {".tag": "expired_access_token"}}, 401)
            raw = await request.body()
            try:
                text = request.headers.get("Dropbox-API-Arg", "{}") if in_header else raw
                arg = json.loads(text or "{}")
            except ValueError:
                return Response(f"Error in call to API function files/{name}: bad JSON", 400)
            body = raw if in_header else b""
            if name == "download":  # the only call that needs a header beyond its argument
                body = request.headers.get("Range", "").encode()
            try:
                return await handler(arg, body)
            except DropboxError as error:
                summary = error.summary + ".." + secrets.token_hex(2)
                return JSONResponse({"error_summary": summary, "error": error.detail}, 409)

        return Route(f"/2/files/{name}", endpoint, methods=["POST"])

    # -- listing -------------------------------------------------------------------------
    async def list_folder(self, arg: dict[str, Any], _: bytes) -> Response:
        path = str(arg.get("path", ""))
        if not self.store.is_folder(path):
            raise DropboxError("path/not_folder/")
        state = {"p": path, "r": bool(arg.get("recursive")), "o": 0}
        state |= {"s": len(self.store.log), "l": int(arg.get("limit", 2000))}
        return JSONResponse(self._page(state))

    async def list_continue(self, arg: dict[str, Any], _: bytes) -> Response:
        return JSONResponse(self._page(_uncursor(str(arg.get("cursor", "")))))

    async def latest_cursor(self, arg: dict[str, Any], _: bytes) -> Response:
        path = str(arg.get("path", ""))
        state = {"p": path, "r": bool(arg.get("recursive")), "o": None}
        state |= {"s": len(self.store.log), "l": int(arg.get("limit", 2000))}
        return JSONResponse({"cursor": _cursor(state)})

    def _page(self, state: dict[str, Any]) -> dict[str, Any]:
        if state["o"] is None:
            return self._changes_page(state)
        path, recursive, offset, limit = state["p"], state["r"], state["o"], state["l"]
        items: list[Item] = self.store.under(path, recursive)
        if recursive and path:
            items = [self.store.get(path), *items]  # Dropbox lists the folder itself too
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        state = state | {"o": offset + limit if more else None}
        entries = [item.metadata() for item in page]
        return {"entries": entries, "cursor": _cursor(state), "has_more": more}

    def _changes_page(self, state: dict[str, Any]) -> dict[str, Any]:
        prefix = state["p"].lower() + "/"
        events = [
            (key, deleted)
            for key, deleted in self.store.log[state["s"] :]
            if key.startswith(prefix) or not state["p"]
        ][: state["l"]]
        entries = []
        for key, deleted in events:
            item = self.store.items.get(key)
            if deleted or item is None:
                name = key.rpartition("/")[2]
                entries.append({".tag": "deleted", "name": name, "path_lower": key})
                entries[-1]["path_display"] = key
            else:
                entries.append(item.metadata())
        more = len(events) == state["l"] and state["s"] + len(events) < len(self.store.log)
        state = state | {"s": state["s"] + len(events)}
        return {"entries": entries, "cursor": _cursor(state), "has_more": more}

    async def get_metadata(self, arg: dict[str, Any], _: bytes) -> Response:
        return JSONResponse(self.store.get(str(arg.get("path", ""))).metadata())

    # -- changes -------------------------------------------------------------------------
    async def create_folder(self, arg: dict[str, Any], _: bytes) -> Response:
        return JSONResponse({"metadata": self.store.make_folder(str(arg["path"])).metadata()})

    async def delete(self, arg: dict[str, Any], _: bytes) -> Response:
        return JSONResponse({"metadata": self.store.delete(str(arg["path"])).metadata()})

    async def move(self, arg: dict[str, Any], _: bytes) -> Response:
        moved = self.store.move(str(arg["from_path"]), str(arg["to_path"]))
        return JSONResponse({"metadata": moved.metadata()})

    # -- revisions -----------------------------------------------------------------------
    async def list_revisions(self, arg: dict[str, Any], _: bytes) -> Response:
        limit = int(arg.get("limit", 10))
        if arg.get("mode", "path") != "path" or not 1 <= limit <= 100:
            return _bad_input("list_revisions", "only mode 'path' and limit 1-100 (fake)")
        kept, deleted_at = self.store.revisions(str(arg.get("path", "")))
        body: dict[str, Any] = {"is_deleted": deleted_at is not None}
        body["entries"] = [item.metadata() for item in kept[:limit]]
        if deleted_at is not None:
            body["server_deleted"] = deleted_at
        return JSONResponse(body)

    async def restore(self, arg: dict[str, Any], _: bytes) -> Response:
        rev = str(arg.get("rev", ""))
        if not _REV.fullmatch(rev):
            return _bad_input("restore", f"rev: {rev!r} did not match pattern '[0-9a-f]+'")
        return JSONResponse(self.store.restore(str(arg.get("path", "")), rev).metadata())

    # -- content -------------------------------------------------------------------------
    async def download(self, arg: dict[str, Any], range_header: bytes) -> Response:
        wanted = range_header.decode()
        path = str(arg.get("path", ""))
        item = self.store.revision(path[4:]) if path.startswith("rev:") else self.store.get(path)
        if item.is_folder:
            raise DropboxError("path/not_file/")
        headers = {"Dropbox-API-Result": json.dumps(item.metadata(), ensure_ascii=True)}
        size = len(item.content)
        if not wanted:
            return Response(item.content, 200, headers, "application/octet-stream")
        first, _, last = wanted.removeprefix("bytes=").partition("-")
        start, end = int(first), min(size, int(last) + 1) if last else size
        if start >= size:
            return Response(b"", 416, {"Content-Range": f"bytes */{size}"})
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        return Response(item.content[start:end], 206, headers, "application/octet-stream")

    async def upload(self, arg: dict[str, Any], body: bytes) -> Response:
        item = self.store.put(arg, body, arg.get("content_hash"))
        return JSONResponse(item.metadata())

    async def session_start(self, arg: dict[str, Any], body: bytes) -> Response:
        session_id = "sess-" + secrets.token_hex(8)
        self.store.sessions[session_id] = Session(bytearray(body), bool(arg.get("close")))
        return JSONResponse({"session_id": session_id})

    def _session_at(self, cursor: dict[str, Any], finishing: bool) -> Session:
        session = self.store.sessions.get(str(cursor.get("session_id")))
        wrap = (lambda d: {".tag": "lookup_failed", "lookup_failed": d}) if finishing else dict
        prefix = "lookup_failed/" if finishing else ""
        if session is None:
            raise DropboxError(prefix + "not_found/", wrap({".tag": "not_found"}))
        if int(cursor.get("offset", -1)) != len(session.received):
            detail = {".tag": "incorrect_offset", "correct_offset": len(session.received)}
            raise DropboxError(prefix + "incorrect_offset/", wrap(detail))
        return session

    async def session_append(self, arg: dict[str, Any], body: bytes) -> Response:
        session = self._session_at(arg.get("cursor", {}), finishing=False)
        if session.closed:
            raise DropboxError("closed/")
        session.received += body
        session.closed = bool(arg.get("close"))
        return JSONResponse(None)

    async def session_finish(self, arg: dict[str, Any], body: bytes) -> Response:
        session = self._session_at(arg.get("cursor", {}), finishing=True)
        content = bytes(session.received + body)
        item = self.store.put(arg.get("commit", {}), content, arg.get("content_hash"))
        del self.store.sessions[str(arg["cursor"]["session_id"])]
        return JSONResponse(item.metadata())
