from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.restore_archive_body import RestoreArchiveBody
from ...models.restore_archive_response_202 import RestoreArchiveResponse202
from ...types import Response


def _get_kwargs(
    repository_id: int,
    archive: str,
    *,
    body: RestoreArchiveBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/backups/repositories/{repository_id}/archives/{archive}/restore".format(
            repository_id=quote(str(repository_id), safe=""),
            archive=quote(str(archive), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RestoreArchiveResponse202 | None:
    if response.status_code == 202:
        response_202 = RestoreArchiveResponse202.from_dict(response.json())

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
) -> Response[Error | RestoreArchiveResponse202]:
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
    body: RestoreArchiveBody,
) -> Response[Error | RestoreArchiveResponse202]:
    """Restore a file or folder of an archive into a provider connection

    Args:
        repository_id (int):
        archive (str):
        body (RestoreArchiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RestoreArchiveResponse202]
    """

    kwargs = _get_kwargs(
        repository_id=repository_id,
        archive=archive,
        body=body,
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
    body: RestoreArchiveBody,
) -> Error | RestoreArchiveResponse202 | None:
    """Restore a file or folder of an archive into a provider connection

    Args:
        repository_id (int):
        archive (str):
        body (RestoreArchiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RestoreArchiveResponse202
    """

    return sync_detailed(
        repository_id=repository_id,
        archive=archive,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    repository_id: int,
    archive: str,
    *,
    client: AuthenticatedClient,
    body: RestoreArchiveBody,
) -> Response[Error | RestoreArchiveResponse202]:
    """Restore a file or folder of an archive into a provider connection

    Args:
        repository_id (int):
        archive (str):
        body (RestoreArchiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RestoreArchiveResponse202]
    """

    kwargs = _get_kwargs(
        repository_id=repository_id,
        archive=archive,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    repository_id: int,
    archive: str,
    *,
    client: AuthenticatedClient,
    body: RestoreArchiveBody,
) -> Error | RestoreArchiveResponse202 | None:
    """Restore a file or folder of an archive into a provider connection

    Args:
        repository_id (int):
        archive (str):
        body (RestoreArchiveBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RestoreArchiveResponse202
    """

    return (
        await asyncio_detailed(
            repository_id=repository_id,
            archive=archive,
            client=client,
            body=body,
        )
    ).parsed
