from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.leave_account_share_response_200 import LeaveAccountShareResponse200
from ...types import Response


def _get_kwargs(
    account_share_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/account-shares/{account_share_id}/leave".format(
            account_share_id=quote(str(account_share_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | LeaveAccountShareResponse200 | None:
    if response.status_code == 200:
        response_200 = LeaveAccountShareResponse200.from_dict(response.json())

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
) -> Response[Error | LeaveAccountShareResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_share_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[Error | LeaveAccountShareResponse200]:
    """Leave a share you accepted; your copy stays

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LeaveAccountShareResponse200]
    """

    kwargs = _get_kwargs(
        account_share_id=account_share_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_share_id: int,
    *,
    client: AuthenticatedClient,
) -> Error | LeaveAccountShareResponse200 | None:
    """Leave a share you accepted; your copy stays

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LeaveAccountShareResponse200
    """

    return sync_detailed(
        account_share_id=account_share_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    account_share_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[Error | LeaveAccountShareResponse200]:
    """Leave a share you accepted; your copy stays

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LeaveAccountShareResponse200]
    """

    kwargs = _get_kwargs(
        account_share_id=account_share_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_share_id: int,
    *,
    client: AuthenticatedClient,
) -> Error | LeaveAccountShareResponse200 | None:
    """Leave a share you accepted; your copy stays

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LeaveAccountShareResponse200
    """

    return (
        await asyncio_detailed(
            account_share_id=account_share_id,
            client=client,
        )
    ).parsed
