from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_repositories_response_200_repositories_item import ListRepositoriesResponse200RepositoriesItem


T = TypeVar("T", bound="ListRepositoriesResponse200")


@_attrs_define
class ListRepositoriesResponse200:
    """
    Attributes:
        repositories (list[ListRepositoriesResponse200RepositoriesItem]):
    """

    repositories: list[ListRepositoriesResponse200RepositoriesItem]

    def to_dict(self) -> dict[str, Any]:
        repositories = []
        for repositories_item_data in self.repositories:
            repositories_item = repositories_item_data.to_dict()
            repositories.append(repositories_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "repositories": repositories,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_repositories_response_200_repositories_item import (
            ListRepositoriesResponse200RepositoriesItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        repositories = []
        _repositories = d.pop("repositories")
        for repositories_item_data in _repositories:
            repositories_item = ListRepositoriesResponse200RepositoriesItem.from_dict(repositories_item_data)

            repositories.append(repositories_item)

        list_repositories_response_200 = cls(
            repositories=repositories,
        )

        return list_repositories_response_200
