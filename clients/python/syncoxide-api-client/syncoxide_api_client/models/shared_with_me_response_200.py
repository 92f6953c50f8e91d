from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.shared_with_me_response_200_shares_item import SharedWithMeResponse200SharesItem


T = TypeVar("T", bound="SharedWithMeResponse200")


@_attrs_define
class SharedWithMeResponse200:
    """
    Attributes:
        shares (list[SharedWithMeResponse200SharesItem]):
    """

    shares: list[SharedWithMeResponse200SharesItem]

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
        from ..models.shared_with_me_response_200_shares_item import SharedWithMeResponse200SharesItem  # noqa: PLC0415

        d = dict(src_dict)
        shares = []
        _shares = d.pop("shares")
        for shares_item_data in _shares:
            shares_item = SharedWithMeResponse200SharesItem.from_dict(shares_item_data)

            shares.append(shares_item)

        shared_with_me_response_200 = cls(
            shares=shares,
        )

        return shared_with_me_response_200
