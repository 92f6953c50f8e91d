from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_share_keys_response_200 import AccountShareKeysResponse200
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    account_share_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/account-shares/{account_share_id}/keys".format(
            account_share_id=quote(str(account_share_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountShareKeysResponse200 | Error | None:
    if response.status_code == 200:
        response_200 = AccountShareKeysResponse200.from_dict(response.json())

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
) -> Response[AccountShareKeysResponse200 | Error]:
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
) -> Response[AccountShareKeysResponse200 | Error]:
    """Both parties' public keys and fingerprints (null: no key yet), to seal and to verify

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountShareKeysResponse200 | Error]
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
) -> AccountShareKeysResponse200 | Error | None:
    """Both parties' public keys and fingerprints (null: no key yet), to seal and to verify

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountShareKeysResponse200 | Error
    """

    return sync_detailed(
        account_share_id=account_share_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    account_share_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[AccountShareKeysResponse200 | Error]:
    """Both parties' public keys and fingerprints (null: no key yet), to seal and to verify

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountShareKeysResponse200 | Error]
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
) -> AccountShareKeysResponse200 | Error | None:
    """Both parties' public keys and fingerprints (null: no key yet), to seal and to verify

    Args:
        account_share_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountShareKeysResponse200 | Error
    """

    return (
        await asyncio_detailed(
            account_share_id=account_share_id,
            client=client,
        )
    ).parsed
