"""The services of ``protos/syncoxide/v1/api.proto``, each call run by its REST operation.

Files, shares, events, sync rules, backups (SSH keys, archives, restores) and the catalog: the
operation ids are the REST table's (``clients/openapi.json``), so a call cannot do what its REST
route would not.

Unary calls carry their fields to the REST operation of the same name (``bridge``). The streams
are the REST operations too: an upload is ``upload_storage`` with the parts as its body, a
download is ``download_storage`` with a ``Range`` from the requested offset; a followed restore
is ``get_restore`` read again when the notifier announces it; only the live event stream sends
the notifier's events themselves, as the live WebSocket does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.protobuf.json_format import ParseDict
from google.protobuf.message import Message
from starlette.responses import StreamingResponse

from syncoxide.server.api.errors import ApiError
from syncoxide.server.backups.restores import RESTORE_EVENT_PREFIX
from syncoxide.server.events.service import CaughtUp, WatchEnded, event_json
from syncoxide.server.grpc.bridge import RestBridge, RestCall, abort, message_fields
from syncoxide.server.grpc.v1 import api_pb2 as pb
from syncoxide.server.grpc.v1 import api_pb2_grpc as rpc
from syncoxide.server.storage.port import Event

Context = grpc.aio.ServicerContext[Any, Any]


def _unary(operation_id: str, reply: type[Message]) -> Any:
    """A method that runs ``operation_id`` with the request's fields and answers ``reply``
    (typed Any: the generated servicer declares each method with its own message types)."""

    async def method(self: _Bridged, request: Message, context: Context) -> Message:
        call = RestCall(operation_id, message_fields(request))
        return await self.bridge.reply(context, call, reply())

    method.__name__ = operation_id
    return method


class _Bridged:
    def __init__(self, bridge: RestBridge) -> None:
        self.bridge = bridge


class Files(_Bridged, rpc.FilesServicer):
    Me = _unary("me", pb.MeReply)
    ListStorage = _unary("list_storage", pb.ListStorageReply)
    StatStorage = _unary("stat_storage", pb.Entry)
    MakeStorageFolder = _unary("make_storage_folder", pb.Entry)
    DeleteStorage = _unary("delete_storage", pb.Deleted)
    MoveStorage = _unary("move_storage", pb.Entry)
    CopyStorage = _unary("copy_storage", pb.Entry)
    StorageUsage = _unary("storage_usage", pb.UsageReply)

    async def Upload(
        self, request_iterator: AsyncIterator[pb.UploadPart], context: Context
    ) -> pb.Entry:
        first = await anext(request_iterator, None)
        if first is None or first.WhichOneof("part") != "header":
            await abort(context, ApiError(400, "bad_upload", "Send the header part first."))
        header = first.header
        fields: dict[str, Any] = {"path": header.path}
        if header.mtime_ns:  # proto3 sends an unset int64 as 0: no time, the server stamps it
            fields["mtime_ns"] = header.mtime_ns
        if header.HasField("sha1"):
            fields["sha1"] = header.sha1
        call = RestCall("upload_storage", fields, body=_data_parts(request_iterator))
        return await self.bridge.reply(context, call, pb.Entry())

    async def Download(
        self, request: pb.DownloadRequest, context: Context
    ) -> AsyncIterator[pb.Chunk]:
        if request.offset < 0:
            await abort(context, ApiError(400, "bad_offset", "The offset cannot be negative."))
        headers = {"range": f"bytes={request.offset}-"} if request.offset else {}
        call = RestCall("download_storage", {"path": request.path}, headers)
        answer = await self.bridge.run(context, call)
        if not isinstance(answer, StreamingResponse) or answer.status_code >= 300:
            status = getattr(answer, "status_code", 500)
            await abort(context, ApiError(status, "not_readable", "The file cannot be read."))
        async for block in answer.body_iterator:
            yield pb.Chunk(data=block.encode() if isinstance(block, str) else bytes(block))


async def _data_parts(parts: AsyncIterator[pb.UploadPart]) -> AsyncIterator[bytes]:
    async for part in parts:
        if part.WhichOneof("part") != "data":
            raise ApiError(400, "bad_upload", "Only the first part may be a header.")
        yield part.data


class Shares(_Bridged, rpc.SharesServicer):
    ListShares = _unary("list_shares", pb.Links)
    RevokeShare = _unary("revoke_share", pb.Revoked)
    ListRequests = _unary("list_requests", pb.Links)
    RevokeRequest = _unary("revoke_request", pb.Revoked)


class Events(_Bridged, rpc.EventsServicer):
    ListEvents = _unary("list_events", pb.EventPage)

    async def Watch(self, request: pb.WatchRequest, context: Context) -> AsyncIterator[pb.Event]:
        """The events after ``after``, then each new one as it happens, as the live socket."""
        signed_in = await self.bridge.signed_in(context)

        async def still_signed_in() -> bool:
            await self.bridge.signed_in(context)  # a revoked token aborts the stream
            return True

        watched = self.bridge.services.notifier.watch(
            signed_in.user.id, max(request.after, 0), still_signed_in
        )
        async with contextlib.aclosing(watched) as stream:
            async for item in stream:
                if isinstance(item, WatchEnded):
                    await context.abort(
                        grpc.StatusCode.ABORTED, f"fell behind: watch again after {item.last_id}"
                    )
                elif not isinstance(item, CaughtUp):
                    yield ParseDict(event_json(item), pb.Event())


class SyncRules(_Bridged, rpc.SyncRulesServicer):
    ListRules = _unary("rules_list_rules", pb.Rules)
    GetRule = _unary("rules_get_rule", pb.Rule)
    CreateRule = _unary("rules_create_rule", pb.Rule)
    UpdateRule = _unary("rules_update_rule", pb.Rule)
    DeleteRule = _unary("rules_delete_rule", pb.Deleted)
    RunRule = _unary("rules_run_rule", pb.Rule)


class Backups(_Bridged, rpc.BackupsServicer):
    ListRepositories = _unary("list_repositories", pb.Repositories)
    ListArchives = _unary("list_archives", pb.Archives)
    BrowseArchive = _unary("browse_archive", pb.ArchiveFolder)
    ListBackupRules = _unary("backups_list_rules", pb.BackupRules)
    RunBackupRule = _unary("backups_run_rule", pb.BackupRule)
    ListKeys = _unary("list_keys", pb.BackupKeys)
    AddKey = _unary("add_key", pb.BackupKey)
    DeleteKey = _unary("delete_key", pb.Deleted)
    GetIdentity = _unary("identity", pb.Identity)
    RestoreArchive = _unary("restore_archive", pb.Restore)
    ListRestores = _unary("list_restores", pb.Restores)
    GetRestore = _unary("get_restore", pb.Restore)
    CancelRestore = _unary("cancel_restore", pb.Restore)
    RestartRestore = _unary("restart_restore", pb.Restore)

    async def FollowRestore(
        self, request: pb.RestoreId, context: Context
    ) -> AsyncIterator[pb.Restore]:
        """``GetRestore`` now and after each of its progress events, until it is over.

        Each reply is read through ``get_restore`` (owner and token checked every time); the
        events only say when to read again, and a quiet spell reads anyway, so a restore whose
        news was missed (a subscriber cut off for being slow) still reaches its end."""
        signed_in = await self.bridge.signed_in(context)
        call = RestCall("get_restore", message_fields(request))
        notifier = self.bridge.services.notifier
        sent: pb.Restore | None = None
        async with notifier.subscribe(signed_in.user.id) as news:  # before the first read
            while True:
                restore = await self.bridge.reply(context, call, pb.Restore())
                if restore != sent:
                    yield restore
                    sent = restore
                if restore.status != "running":
                    return
                await _restore_news(news, request.restore_id)


#: A following client reads the restore again after this long without news of it.
FOLLOW_QUIET_SECONDS = 5.0


async def _restore_news(news: asyncio.Queue[Event | None], restore_id: int) -> None:
    """Until an event about ``restore_id`` arrives, or the quiet spell ends."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(FOLLOW_QUIET_SECONDS):
            while (event := await news.get()) is not None:
                if event.kind.startswith(RESTORE_EVENT_PREFIX) and (
                    event.payload.get("restore_id") == restore_id
                ):
                    return
            await asyncio.sleep(FOLLOW_QUIET_SECONDS)  # cut off for lagging: read on a timer


class Catalog(_Bridged, rpc.CatalogServicer):
    Search = _unary("search", pb.CatalogEntries)
    Recent = _unary("recent", pb.CatalogEntries)
    Starred = _unary("starred", pb.CatalogEntries)


def add_to(server: grpc.aio.Server, bridge: RestBridge) -> None:
    rpc.add_FilesServicer_to_server(Files(bridge), server)
    rpc.add_SharesServicer_to_server(Shares(bridge), server)
    rpc.add_EventsServicer_to_server(Events(bridge), server)
    rpc.add_SyncRulesServicer_to_server(SyncRules(bridge), server)
    rpc.add_BackupsServicer_to_server(Backups(bridge), server)
    rpc.add_CatalogServicer_to_server(Catalog(bridge), server)
