from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.sign_in_providers_response_200_providers_item import SignInProvidersResponse200ProvidersItem


T = TypeVar("T", bound="SignInProvidersResponse200")


@_attrs_define
class SignInProvidersResponse200:
    """
    Attributes:
        password (bool):
        providers (list[SignInProvidersResponse200ProvidersItem]):
    """

    password: bool
    providers: list[SignInProvidersResponse200ProvidersItem]

    def to_dict(self) -> dict[str, Any]:
        password = self.password

        providers = []
        for providers_item_data in self.providers:
            providers_item = providers_item_data.to_dict()
            providers.append(providers_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "password": password,
                "providers": providers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sign_in_providers_response_200_providers_item import SignInProvidersResponse200ProvidersItem  # noqa: PLC0415

        d = dict(src_dict)
        password = d.pop("password")

        providers = []
        _providers = d.pop("providers")
        for providers_item_data in _providers:
            providers_item = SignInProvidersResponse200ProvidersItem.from_dict(providers_item_data)

            providers.append(providers_item)

        sign_in_providers_response_200 = cls(
            password=password,
            providers=providers,
        )

        return sign_in_providers_response_200
