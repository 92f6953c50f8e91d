from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backups_update_rule_body import BackupsUpdateRuleBody
from ...models.backups_update_rule_response_200 import BackupsUpdateRuleResponse200
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    backup_rule_id: int,
    *,
    body: BackupsUpdateRuleBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/backups/rules/{backup_rule_id}".format(
            backup_rule_id=quote(str(backup_rule_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BackupsUpdateRuleResponse200 | Error | None:
    if response.status_code == 200:
        response_200 = BackupsUpdateRuleResponse200.from_dict(response.json())

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
) -> Response[BackupsUpdateRuleResponse200 | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    backup_rule_id: int,
    *,
    client: AuthenticatedClient,
    body: BackupsUpdateRuleBody,
) -> Response[BackupsUpdateRuleResponse200 | Error]:
    """Change a backup rule (schedule, retention, folder, enabled)

    Args:
        backup_rule_id (int):
        body (BackupsUpdateRuleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BackupsUpdateRuleResponse200 | Error]
    """

    kwargs = _get_kwargs(
        backup_rule_id=backup_rule_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    backup_rule_id: int,
    *,
    client: AuthenticatedClient,
    body: BackupsUpdateRuleBody,
) -> BackupsUpdateRuleResponse200 | Error | None:
    """Change a backup rule (schedule, retention, folder, enabled)

    Args:
        backup_rule_id (int):
        body (BackupsUpdateRuleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BackupsUpdateRuleResponse200 | Error
    """

    return sync_detailed(
        backup_rule_id=backup_rule_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    backup_rule_id: int,
    *,
    client: AuthenticatedClient,
    body: BackupsUpdateRuleBody,
) -> Response[BackupsUpdateRuleResponse200 | Error]:
    """Change a backup rule (schedule, retention, folder, enabled)

    Args:
        backup_rule_id (int):
        body (BackupsUpdateRuleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BackupsUpdateRuleResponse200 | Error]
    """

    kwargs = _get_kwargs(
        backup_rule_id=backup_rule_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    backup_rule_id: int,
    *,
    client: AuthenticatedClient,
    body: BackupsUpdateRuleBody,
) -> BackupsUpdateRuleResponse200 | Error | None:
    """Change a backup rule (schedule, retention, folder, enabled)

    Args:
        backup_rule_id (int):
        body (BackupsUpdateRuleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BackupsUpdateRuleResponse200 | Error
    """

    return (
        await asyncio_detailed(
            backup_rule_id=backup_rule_id,
            client=client,
            body=body,
        )
    ).parsed
