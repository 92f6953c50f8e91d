"""API operations of the Photos view: timeline and folders, thumbnails, duplicates, keep best."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response, StreamingResponse

from syncoxide.photos.duplicates import duplicate_groups
from syncoxide.photos.near_duplicates import DEFAULT_MAX_DISTANCE
from syncoxide.photos.timeline import Photo, albums_by_folder, timeline
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.spec import INT, STR, Call, Operation, obj
from syncoxide.server.photos.service import HOME, PhotoService

_PHOTO = obj(
    ("source", "path", "taken", "taken_from", "width", "height", "size"),
    source=STR, path=STR, taken=STR, taken_from=STR, width=INT, height=INT, size=INT,
    content_hash=STR, phash=STR,
)  # fmt: skip
_PHOTOS = {"type": "array", "items": _PHOTO}
_PATH_QUERY = ("path", {"type": "string", "minLength": 1, "maxLength": 4096})
_SOURCE_QUERY = ("source", {"type": "string", "minLength": 1, "maxLength": 63})


def photos_of(connection: HTTPConnection) -> PhotoService:
    service: PhotoService = connection.app.state.photos
    return service


def photo_json(photo: Photo) -> dict[str, Any]:
    return {
        "source": photo.source,
        "path": photo.path,
        "taken": photo.taken,
        "taken_from": photo.taken_from,
        "width": photo.width,
        "height": photo.height,
        "size": photo.size,
        "content_hash": photo.content_hash,
        "phash": photo.phash,
    }


async def list_photos(call: Call) -> dict[str, Any]:
    index = await photos_of(call.request).index(call.user.id)
    days = [{"date": d.date, "photos": [photo_json(p) for p in d.photos]}
            for d in timeline(index.photos)]  # fmt: skip
    return {
        "days": days,
        "folders": albums_by_folder(index.photos),
        "pending": index.pending,
        "unreadable": index.unreadable,
        "not_supported": index.not_supported,
        "errors": index.errors,
    }


async def photo_thumbnail(call: Call) -> Response:
    path = call.request.query_params.get("path", "")
    source = call.request.query_params.get("source") or HOME
    if not path:
        raise ApiError(400, "bad_query", "Name the photo with ?path=.")
    body = await photos_of(call.request).thumbnail(call.user.id, path, source)
    headers = {"Cache-Control": "private, max-age=3600"}
    return StreamingResponse(body, media_type="image/jpeg", headers=headers)


async def photo_duplicates(call: Call) -> dict[str, Any]:
    distance = call.int_query("max_distance", DEFAULT_MAX_DISTANCE, 0, 20)
    photos = (await photos_of(call.request).index(call.user.id)).photos
    groups = duplicate_groups(photos, distance)
    return {
        "exact": [[photo_json(p) for p in group] for group in groups.exact],
        "near": [[photo_json(p) for p in group] for group in groups.near],
    }


async def keep_best(call: Call) -> dict[str, Any]:
    body = call.json
    moved = await photos_of(call.request).keep_best(call.user.id, body["keep"], body["others"])
    return {"trashed": moved}


PHOTO_OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/photos", list_photos,
              "Photos of the server storage and of the connections (as the catalog indexes"
              " them) by capture date (EXIF, else file time), and folders",
              answer=obj(("days", "folders", "pending", "unreadable", "not_supported", "errors"),
                         days={"type": "array", "items": obj(("date", "photos"), date=STR,
                                                             photos=_PHOTOS)},
                         folders={"type": "object", "additionalProperties": INT},
                         pending=INT, unreadable={"type": "array", "items": STR},
                         not_supported={"type": "array", "items": STR},
                         errors={"type": "array", "items": STR})),
    Operation("GET", "/photos/thumbnail", photo_thumbnail,
              "A photo's thumbnail (JPEG, made once and cached); source: a connection's name"
              " (default home, the server storage)", query=(_PATH_QUERY, _SOURCE_QUERY)),
    Operation("GET", "/photos/duplicates", photo_duplicates,
              "Exact duplicates (same bytes) and near duplicates (perceptual hash)",
              answer=obj(("exact", "near"), exact={"type": "array", "items": _PHOTOS},
                         near={"type": "array", "items": _PHOTOS}),
              query=(("max_distance", {"type": "integer", "minimum": 0, "maximum": 20}),)),
    Operation("POST", "/photos/keep-best", keep_best,
              "Keep one photo of a group; move the others to the trash (server storage only)",
              body=obj(("keep", "others"), keep={"type": "string", "maxLength": 4096},
                       others={"type": "array", "maxItems": 1000,
                               "items": {"type": "string", "maxLength": 4096}}),
              answer=obj(("trashed",), trashed={"type": "array", "items": STR})),
)  # fmt: skip
