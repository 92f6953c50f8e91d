from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.restart_restore_response_202 import RestartRestoreResponse202
from ...types import Response


def _get_kwargs(
    restore_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/backups/restores/{restore_id}/restart".format(
            restore_id=quote(str(restore_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RestartRestoreResponse202 | None:
    if response.status_code == 202:
        response_202 = RestartRestoreResponse202.from_dict(response.json())

        return response_202

    if 400 <= response.status_code <= 499:
        response_4xx = Error.from_dict(response.json())

        return response_4xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | RestartRestoreResponse202]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    restore_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[Error | RestartRestoreResponse202]:
    """Start an interrupted, failed or cancelled restore again, as a new restore

    Args:
        restore_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RestartRestoreResponse202]
    """

    kwargs = _get_kwargs(
        restore_id=restore_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    restore_id: int,
    *,
    client: AuthenticatedClient,
) -> Error | RestartRestoreResponse202 | None:
    """Start an interrupted, failed or cancelled restore again, as a new restore

    Args:
        restore_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RestartRestoreResponse202
    """

    return sync_detailed(
        restore_id=restore_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    restore_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[Error | RestartRestoreResponse202]:
    """Start an interrupted, failed or cancelled restore again, as a new restore

    Args:
        restore_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RestartRestoreResponse202]
    """

    kwargs = _get_kwargs(
        restore_id=restore_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    restore_id: int,
    *,
    client: AuthenticatedClient,
) -> Error | RestartRestoreResponse202 | None:
    """Start an interrupted, failed or cancelled restore again, as a new restore

    Args:
        restore_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RestartRestoreResponse202
    """

    return (
        await asyncio_detailed(
            restore_id=restore_id,
            client=client,
        )
    ).parsed
