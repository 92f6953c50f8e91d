from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.provider_versions_response_200 import ProviderVersionsResponse200
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    location: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["location"] = location

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/catalog/provider-versions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ProviderVersionsResponse200 | None:
    if response.status_code == 200:
        response_200 = ProviderVersionsResponse200.from_dict(response.json())

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
) -> Response[Error | ProviderVersionsResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    location: str | Unset = UNSET,
) -> Response[Error | ProviderVersionsResponse200]:
    """Versions a connection's provider keeps of a file itself (S3 object versions, Drive and Dropbox
    revisions), newest first (location=PROVIDER:path)

    Args:
        location (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ProviderVersionsResponse200]
    """

    kwargs = _get_kwargs(
        location=location,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    location: str | Unset = UNSET,
) -> Error | ProviderVersionsResponse200 | None:
    """Versions a connection's provider keeps of a file itself (S3 object versions, Drive and Dropbox
    revisions), newest first (location=PROVIDER:path)

    Args:
        location (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ProviderVersionsResponse200
    """

    return sync_detailed(
        client=client,
        location=location,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    location: str | Unset = UNSET,
) -> Response[Error | ProviderVersionsResponse200]:
    """Versions a connection's provider keeps of a file itself (S3 object versions, Drive and Dropbox
    revisions), newest first (location=PROVIDER:path)

    Args:
        location (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ProviderVersionsResponse200]
    """

    kwargs = _get_kwargs(
        location=location,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    location: str | Unset = UNSET,
) -> Error | ProviderVersionsResponse200 | None:
    """Versions a connection's provider keeps of a file itself (S3 object versions, Drive and Dropbox
    revisions), newest first (location=PROVIDER:path)

    Args:
        location (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ProviderVersionsResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            location=location,
        )
    ).parsed
