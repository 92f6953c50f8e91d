from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_jobs_response_200_jobs_item import ListJobsResponse200JobsItem


T = TypeVar("T", bound="ListJobsResponse200")


@_attrs_define
class ListJobsResponse200:
    """
    Attributes:
        jobs (list[ListJobsResponse200JobsItem]):
    """

    jobs: list[ListJobsResponse200JobsItem]

    def to_dict(self) -> dict[str, Any]:
        jobs = []
        for jobs_item_data in self.jobs:
            jobs_item = jobs_item_data.to_dict()
            jobs.append(jobs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "jobs": jobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.list_jobs_response_200_jobs_item import ListJobsResponse200JobsItem  # noqa: PLC0415

        d = dict(src_dict)
        jobs = []
        _jobs = d.pop("jobs")
        for jobs_item_data in _jobs:
            jobs_item = ListJobsResponse200JobsItem.from_dict(jobs_item_data)

            jobs.append(jobs_item)

        list_jobs_response_200 = cls(
            jobs=jobs,
        )

        return list_jobs_response_200
