from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.account_share_keys_response_200_owner_type_0 import AccountShareKeysResponse200OwnerType0
    from ..models.account_share_keys_response_200_recipient_type_0 import AccountShareKeysResponse200RecipientType0


T = TypeVar("T", bound="AccountShareKeysResponse200")


@_attrs_define
class AccountShareKeysResponse200:
    """
    Attributes:
        owner (AccountShareKeysResponse200OwnerType0 | None):
        recipient (AccountShareKeysResponse200RecipientType0 | None):
    """

    owner: AccountShareKeysResponse200OwnerType0 | None
    recipient: AccountShareKeysResponse200RecipientType0 | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.account_share_keys_response_200_owner_type_0 import AccountShareKeysResponse200OwnerType0  # noqa: PLC0415
        from ..models.account_share_keys_response_200_recipient_type_0 import AccountShareKeysResponse200RecipientType0  # noqa: PLC0415

        owner: dict[str, Any] | None
        if isinstance(self.owner, AccountShareKeysResponse200OwnerType0):
            owner = self.owner.to_dict()
        else:
            owner = self.owner

        recipient: dict[str, Any] | None
        if isinstance(self.recipient, AccountShareKeysResponse200RecipientType0):
            recipient = self.recipient.to_dict()
        else:
            recipient = self.recipient

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "owner": owner,
                "recipient": recipient,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account_share_keys_response_200_owner_type_0 import AccountShareKeysResponse200OwnerType0  # noqa: PLC0415
        from ..models.account_share_keys_response_200_recipient_type_0 import AccountShareKeysResponse200RecipientType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_owner(data: object) -> AccountShareKeysResponse200OwnerType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                owner_type_0 = AccountShareKeysResponse200OwnerType0.from_dict(data)

                return owner_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AccountShareKeysResponse200OwnerType0 | None, data)

        owner = _parse_owner(d.pop("owner"))

        def _parse_recipient(data: object) -> AccountShareKeysResponse200RecipientType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recipient_type_0 = AccountShareKeysResponse200RecipientType0.from_dict(data)

                return recipient_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AccountShareKeysResponse200RecipientType0 | None, data)

        recipient = _parse_recipient(d.pop("recipient"))

        account_share_keys_response_200 = cls(
            owner=owner,
            recipient=recipient,
        )

        return account_share_keys_response_200
