"""``POST /signal/device-rooms``: the room of two devices that never paired directly.

    request  {"device", "peer", "issued_at", "signature"}   (syncoxide/devices/device_room.py)
    answer   {"room", "token"}                               rate-limited per address, like rooms

The room id follows from the two public keys; its token goes only to a device of the pair that
signed a fresh request, so a stranger who computes the id still cannot join and fill the room.
Nothing is stored: the token is the same keyed hash as every room's (tokens.py).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from syncoxide.devices.device_room import RoomRequest, check_request
from syncoxide.errors import AuthenticationError, InvalidInputError
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.ports import Clock
from syncoxide.server.signaling.limits import AddressLimits
from syncoxide.server.signaling.tokens import RoomTokens

MAX_BODY = 4096


class DeviceRooms:
    def __init__(self, tokens: RoomTokens, clock: Clock, limits: AddressLimits) -> None:
        self.tokens, self.clock, self.limits = tokens, clock, limits
        self.ed25519 = NativeEd25519()

    async def handle(self, request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        if not self.limits.allow(address):
            body = {"error": "rate_limited", "message": "Too many requests: wait a minute."}
            return JSONResponse(body, status_code=429, headers={"Retry-After": "60"})
        raw = await request.body()
        try:
            if len(raw) > MAX_BODY:
                raise InvalidInputError(f"A device room request is under {MAX_BODY} bytes.")
            asked = RoomRequest.from_json(json.loads(raw or b"null"))
            room = await check_request(asked, now=self.clock.now(), ed25519=self.ed25519)
        except ValueError:
            return _refused(400, "invalid_input", "The request is not JSON.")
        except InvalidInputError as error:
            return _refused(400, error.code, error.message)
        except AuthenticationError as error:
            return _refused(401, error.code, error.message)
        body = {"room": room, "token": self.tokens.token_for(room)}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _refused(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": code, "message": message}, status_code=status)
