"""Resumable uploads over the tus 1.0.0 protocol (core, creation, creation-with-upload,
termination, expiration, checksum), so any standard tus client can upload to syncoxide."""

from syncoxide.server.tus.endpoint import TusEndpoint, TusPolicy
from syncoxide.server.tus.port import Uploads
from syncoxide.server.tus.store import UploadStore
from syncoxide.server.tus.upload import Upload

__all__ = ["TusEndpoint", "TusPolicy", "Upload", "UploadStore", "Uploads"]
