from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_account_shares_response_200_shares_item import ListAccountSharesResponse200SharesItem


T = TypeVar("T", bound="ListAccountSharesResponse200")


@_attrs_define
class ListAccountSharesResponse200:
    """
    Attributes:
        shares (list[ListAccountSharesResponse200SharesItem]):
    """

    shares: list[ListAccountSharesResponse200SharesItem]

    def to_dict(self) -> dict[str, Any]:
        shares = []
        for shares_item_data in self.shares:
            shares_item = shares_item_data.to_dict()
            shares.append(shares_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "shares": shares,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_account_shares_response_200_shares_item import ListAccountSharesResponse200SharesItem  # noqa: PLC0415

        d = dict(src_dict)
        shares = []
        _shares = d.pop("shares")
        for shares_item_data in _shares:
            shares_item = ListAccountSharesResponse200SharesItem.from_dict(shares_item_data)

            shares.append(shares_item)

        list_account_shares_response_200 = cls(
            shares=shares,
        )

        return list_account_shares_response_200
