from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.get_account_share_response_200_access import GetAccountShareResponse200Access
from ..models.get_account_share_response_200_role import GetAccountShareResponse200Role
from ..types import UNSET, Unset

T = TypeVar("T", bound="GetAccountShareResponse200")


@_attrs_define
class GetAccountShareResponse200:
    """
    Attributes:
        access (GetAccountShareResponse200Access):
        created_at (int):
        id (int):
        name (str):
        owner (str):
        recipient (str):
        role (GetAccountShareResponse200Role):
        state (str):
        answered_at (int | None | Unset):
        encrypted (bool | Unset):
        expires_at (int | None | Unset):
        last_sync_at (int | None | Unset):
        place (None | str | Unset):
        sync_message (str | Unset):
        sync_status (str | Unset):
    """

    access: GetAccountShareResponse200Access
    created_at: int
    id: int
    name: str
    owner: str
    recipient: str
    role: GetAccountShareResponse200Role
    state: str
    answered_at: int | None | Unset = UNSET
    encrypted: bool | Unset = UNSET
    expires_at: int | None | Unset = UNSET
    last_sync_at: int | None | Unset = UNSET
    place: None | str | Unset = UNSET
    sync_message: str | Unset = UNSET
    sync_status: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        access = self.access.value

        created_at = self.created_at

        id = self.id

        name = self.name

        owner = self.owner

        recipient = self.recipient

        role = self.role.value

        state = self.state

        answered_at: int | None | Unset
        if isinstance(self.answered_at, Unset):
            answered_at = UNSET
        else:
            answered_at = self.answered_at

        encrypted = self.encrypted

        expires_at: int | None | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        last_sync_at: int | None | Unset
        if isinstance(self.last_sync_at, Unset):
            last_sync_at = UNSET
        else:
            last_sync_at = self.last_sync_at

        place: None | str | Unset
        if isinstance(self.place, Unset):
            place = UNSET
        else:
            place = self.place

        sync_message = self.sync_message

        sync_status = self.sync_status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "access": access,
                "created_at": created_at,
                "id": id,
                "name": name,
                "owner": owner,
                "recipient": recipient,
                "role": role,
                "state": state,
            }
        )
        if answered_at is not UNSET:
            field_dict["answered_at"] = answered_at
        if encrypted is not UNSET:
            field_dict["encrypted"] = encrypted
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if last_sync_at is not UNSET:
            field_dict["last_sync_at"] = last_sync_at
        if place is not UNSET:
            field_dict["place"] = place
        if sync_message is not UNSET:
            field_dict["sync_message"] = sync_message
        if sync_status is not UNSET:
            field_dict["sync_status"] = sync_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access = GetAccountShareResponse200Access(d.pop("access"))

        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        owner = d.pop("owner")

        recipient = d.pop("recipient")

        role = GetAccountShareResponse200Role(d.pop("role"))

        state = d.pop("state")

        def _parse_answered_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        answered_at = _parse_answered_at(d.pop("answered_at", UNSET))

        encrypted = d.pop("encrypted", UNSET)

        def _parse_expires_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_last_sync_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_sync_at = _parse_last_sync_at(d.pop("last_sync_at", UNSET))

        def _parse_place(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        place = _parse_place(d.pop("place", UNSET))

        sync_message = d.pop("sync_message", UNSET)

        sync_status = d.pop("sync_status", UNSET)

        get_account_share_response_200 = cls(
            access=access,
            created_at=created_at,
            id=id,
            name=name,
            owner=owner,
            recipient=recipient,
            role=role,
            state=state,
            answered_at=answered_at,
            encrypted=encrypted,
            expires_at=expires_at,
            last_sync_at=last_sync_at,
            place=place,
            sync_message=sync_message,
            sync_status=sync_status,
        )

        return get_account_share_response_200
