from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.browse_archive_response_200 import BrowseArchiveResponse200
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    repository_id: int,
    archive: str,
    *,
    path: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["path"] = path

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/backups/repositories/{repository_id}/archives/{archive}/entries".format(
            repository_id=quote(str(repository_id), safe=""),
            archive=quote(str(archive), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BrowseArchiveResponse200 | Error | None:
    if response.status_code == 200:
        response_200 = BrowseArchiveResponse200.from_dict(response.json())

        return response_200

    if 400 <= response.status_code <= 499:
        response_4xx = Error.from_dict(response.json())

        return response_4xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[BrowseArchiveResponse200 | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    repository_id: int,
    archive: str,
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
) -> Response[BrowseArchiveResponse200 | Error]:
    """The files and folders directly inside a folder of an archive

    Args:
        repository_id (int):
        archive (str):
        path (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BrowseArchiveResponse200 | Error]
    """

    kwargs = _get_kwargs(
        repository_id=repository_id,
        archive=archive,
        path=path,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    repository_id: int,
    archive: str,
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
) -> BrowseArchiveResponse200 | Error | None:
    """The files and folders directly inside a folder of an archive

    Args:
        repository_id (int):
        archive (str):
        path (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BrowseArchiveResponse200 | Error
    """

    return sync_detailed(
        repository_id=repository_id,
        archive=archive,
        client=client,
        path=path,
    ).parsed


async def asyncio_detailed(
    repository_id: int,
    archive: str,
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
) -> Response[BrowseArchiveResponse200 | Error]:
    """The files and folders directly inside a folder of an archive

    Args:
        repository_id (int):
        archive (str):
        path (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BrowseArchiveResponse200 | Error]
    """

    kwargs = _get_kwargs(
        repository_id=repository_id,
        archive=archive,
        path=path,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    repository_id: int,
    archive: str,
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
) -> BrowseArchiveResponse200 | Error | None:
    """The files and folders directly inside a folder of an archive

    Args:
        repository_id (int):
        archive (str):
        path (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BrowseArchiveResponse200 | Error
    """

    return (
        await asyncio_detailed(
            repository_id=repository_id,
            archive=archive,
            client=client,
            path=path,
        )
    ).parsed
