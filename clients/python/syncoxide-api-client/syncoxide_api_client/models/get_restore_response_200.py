from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="GetRestoreResponse200")


@_attrs_define
class GetRestoreResponse200:
    """
    Attributes:
        archive (str):
        connection_id (int):
        dest_path (str):
        id (int):
        path (str):
        repository_id (int):
        status (str):
        bytes_ (int | Unset):
        bytes_total (int | Unset):
        cancel_requested (bool | Unset):
        files (int | Unset):
        files_total (int | Unset):
        finished_at (int | None | Unset):
        message (str | Unset):
        started_at (int | Unset):
    """

    archive: str
    connection_id: int
    dest_path: str
    id: int
    path: str
    repository_id: int
    status: str
    bytes_: int | Unset = UNSET
    bytes_total: int | Unset = UNSET
    cancel_requested: bool | Unset = UNSET
    files: int | Unset = UNSET
    files_total: int | Unset = UNSET
    finished_at: int | None | Unset = UNSET
    message: str | Unset = UNSET
    started_at: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        archive = self.archive

        connection_id = self.connection_id

        dest_path = self.dest_path

        id = self.id

        path = self.path

        repository_id = self.repository_id

        status = self.status

        bytes_ = self.bytes_

        bytes_total = self.bytes_total

        cancel_requested = self.cancel_requested

        files = self.files

        files_total = self.files_total

        finished_at: int | None | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = self.finished_at

        message = self.message

        started_at = self.started_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "archive": archive,
                "connection_id": connection_id,
                "dest_path": dest_path,
                "id": id,
                "path": path,
                "repository_id": repository_id,
                "status": status,
            }
        )
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if bytes_total is not UNSET:
            field_dict["bytes_total"] = bytes_total
        if cancel_requested is not UNSET:
            field_dict["cancel_requested"] = cancel_requested
        if files is not UNSET:
            field_dict["files"] = files
        if files_total is not UNSET:
            field_dict["files_total"] = files_total
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if message is not UNSET:
            field_dict["message"] = message
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        archive = d.pop("archive")

        connection_id = d.pop("connection_id")

        dest_path = d.pop("dest_path")

        id = d.pop("id")

        path = d.pop("path")

        repository_id = d.pop("repository_id")

        status = d.pop("status")

        bytes_ = d.pop("bytes", UNSET)

        bytes_total = d.pop("bytes_total", UNSET)

        cancel_requested = d.pop("cancel_requested", UNSET)

        files = d.pop("files", UNSET)

        files_total = d.pop("files_total", UNSET)

        def _parse_finished_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        message = d.pop("message", UNSET)

        started_at = d.pop("started_at", UNSET)

        get_restore_response_200 = cls(
            archive=archive,
            connection_id=connection_id,
            dest_path=dest_path,
            id=id,
            path=path,
            repository_id=repository_id,
            status=status,
            bytes_=bytes_,
            bytes_total=bytes_total,
            cancel_requested=cancel_requested,
            files=files,
            files_total=files_total,
            finished_at=finished_at,
            message=message,
            started_at=started_at,
        )

        return get_restore_response_200
