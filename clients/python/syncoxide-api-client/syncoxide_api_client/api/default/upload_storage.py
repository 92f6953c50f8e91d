from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.upload_storage_response_200 import UploadStorageResponse200
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    path: str | Unset = UNSET,
    mtime_ns: int | Unset = UNSET,
    sha1: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["path"] = path

    params["mtime_ns"] = mtime_ns

    params["sha1"] = sha1

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/storage/content",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | UploadStorageResponse200 | None:
    if response.status_code == 200:
        response_200 = UploadStorageResponse200.from_dict(response.json())

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
) -> Response[Error | UploadStorageResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
    mtime_ns: int | Unset = UNSET,
    sha1: str | Unset = UNSET,
) -> Response[Error | UploadStorageResponse200]:
    """Store the request body as a file (small files; large ones go through tus)

    Args:
        path (str | Unset):
        mtime_ns (int | Unset):
        sha1 (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UploadStorageResponse200]
    """

    kwargs = _get_kwargs(
        path=path,
        mtime_ns=mtime_ns,
        sha1=sha1,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
    mtime_ns: int | Unset = UNSET,
    sha1: str | Unset = UNSET,
) -> Error | UploadStorageResponse200 | None:
    """Store the request body as a file (small files; large ones go through tus)

    Args:
        path (str | Unset):
        mtime_ns (int | Unset):
        sha1 (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UploadStorageResponse200
    """

    return sync_detailed(
        client=client,
        path=path,
        mtime_ns=mtime_ns,
        sha1=sha1,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
    mtime_ns: int | Unset = UNSET,
    sha1: str | Unset = UNSET,
) -> Response[Error | UploadStorageResponse200]:
    """Store the request body as a file (small files; large ones go through tus)

    Args:
        path (str | Unset):
        mtime_ns (int | Unset):
        sha1 (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UploadStorageResponse200]
    """

    kwargs = _get_kwargs(
        path=path,
        mtime_ns=mtime_ns,
        sha1=sha1,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    path: str | Unset = UNSET,
    mtime_ns: int | Unset = UNSET,
    sha1: str | Unset = UNSET,
) -> Error | UploadStorageResponse200 | None:
    """Store the request body as a file (small files; large ones go through tus)

    Args:
        path (str | Unset):
        mtime_ns (int | Unset):
        sha1 (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UploadStorageResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            path=path,
            mtime_ns=mtime_ns,
            sha1=sha1,
        )
    ).parsed
