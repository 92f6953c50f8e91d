from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.storage_changes_response_200 import StorageChangesResponse200
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    since: str | Unset = UNSET,
    wait: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["since"] = since

    params["wait"] = wait

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/storage/changes",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | StorageChangesResponse200 | None:
    if response.status_code == 200:
        response_200 = StorageChangesResponse200.from_dict(response.json())

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
) -> Response[Error | StorageChangesResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    wait: int | Unset = UNSET,
) -> Response[Error | StorageChangesResponse200]:
    """Paths changed since a token (none given: a token for now); waits up to `wait` seconds for a change.
    [""] means: changed, paths unknown (look at everything)

    Args:
        since (str | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | StorageChangesResponse200]
    """

    kwargs = _get_kwargs(
        since=since,
        wait=wait,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    wait: int | Unset = UNSET,
) -> Error | StorageChangesResponse200 | None:
    """Paths changed since a token (none given: a token for now); waits up to `wait` seconds for a change.
    [""] means: changed, paths unknown (look at everything)

    Args:
        since (str | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | StorageChangesResponse200
    """

    return sync_detailed(
        client=client,
        since=since,
        wait=wait,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    wait: int | Unset = UNSET,
) -> Response[Error | StorageChangesResponse200]:
    """Paths changed since a token (none given: a token for now); waits up to `wait` seconds for a change.
    [""] means: changed, paths unknown (look at everything)

    Args:
        since (str | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | StorageChangesResponse200]
    """

    kwargs = _get_kwargs(
        since=since,
        wait=wait,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    since: str | Unset = UNSET,
    wait: int | Unset = UNSET,
) -> Error | StorageChangesResponse200 | None:
    """Paths changed since a token (none given: a token for now); waits up to `wait` seconds for a change.
    [""] means: changed, paths unknown (look at everything)

    Args:
        since (str | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | StorageChangesResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            since=since,
            wait=wait,
        )
    ).parsed
