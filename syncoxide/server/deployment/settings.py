"""The deployment's three targets, parsed from URLs; the embedded defaults when none is given.

    database  sqlite (default, DATA/syncoxide.sqlite3)   postgresql://user:pw@host:5432/db
    blobs     local  (default, DATA/blobs)               s3://bucket/prefix?endpoint=http://h:9000&region=r
    bus       memory (default, in this process)          redis://host:6379/0, nats://host:4222

S3 keys come from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` like every S3 tool, never
from the URL, so a URL can be logged and shown by ``--check-config`` as it is. Passwords in
database and bus URLs are masked whenever a URL is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from syncoxide.errors import ConfigError
from syncoxide.server.deployment.bus_namespace import bus_address

#: Setting name -> (environment variable, accepted schemes, default)
TARGETS = {
    "database": ("SYNCOXIDE_DATABASE", ("sqlite", "postgresql", "postgres"), "sqlite"),
    "blobs": ("SYNCOXIDE_BLOBS", ("local", "s3"), "local"),
    "bus": ("SYNCOXIDE_BUS", ("memory", "redis", "rediss", "nats"), "memory"),
}


@dataclass(frozen=True)
class Target:
    """One configured target: its kind (the URL scheme, normalised) and the URL itself."""

    kind: str
    url: str
    source: str  # where it was set: the variable, the settings file or "default"

    @property
    def shown(self) -> str:
        """The URL with any password replaced by ``***``, safe for logs and reports."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        login = f"{parts.username}:***@" if parts.username else ":***@"
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=login + host))

    @property
    def embedded(self) -> bool:
        return self.kind in ("sqlite", "local", "memory")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    endpoint: str | None
    region: str
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Deployment:
    database: Target
    blobs: Target
    bus: Target

    @property
    def embedded(self) -> bool:
        return self.database.embedded and self.blobs.embedded and self.bus.embedded

    def targets(self) -> dict[str, Target]:
        return {"database": self.database, "blobs": self.blobs, "bus": self.bus}


def parse_deployment(
    environ: Mapping[str, str], table: Mapping[str, Any], settings_name: str
) -> Deployment:
    """The targets from ``table`` (``[deployment]``), each overridden by its variable."""
    unknown = set(table) - set(TARGETS)
    if unknown:
        raise ConfigError(
            f"[deployment] in {settings_name} has unknown settings: {', '.join(sorted(unknown))}.",
            hint="Settings: database, blobs, bus (URLs); see docs/scaling.md.",
        )
    targets = {name: _target(name, environ, table, settings_name) for name in TARGETS}
    return Deployment(**targets)


def _target(
    name: str, environ: Mapping[str, str], table: Mapping[str, Any], settings_name: str
) -> Target:
    variable, schemes, default = TARGETS[name]
    raw: object = environ.get(variable, "").strip()
    source = variable
    if not raw:
        raw, source = table.get(name, ""), f"[deployment] {name} in {settings_name}"
    if not isinstance(raw, str):
        raise ConfigError(f"{source} must be a URL (text).", hint=_example(name))
    if not raw.strip():
        return Target(default, default, "default")
    url = raw.strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else url.lower()
    if scheme not in schemes:
        raise ConfigError(
            f"{source} = {url.split('://', 1)[0]!r}... is not a {name} this server can use.",
            hint=f"Use one of {', '.join(schemes)}. {_example(name)}",
        )
    kind = "postgresql" if scheme == "postgres" else "redis" if scheme == "rediss" else scheme
    if kind != default and not urlsplit(url).hostname and kind != "s3":
        raise ConfigError(f"{source} names no host.", hint=_example(name))
    target = Target(kind, url, source)
    if kind == "s3":
        s3_location(target, environ)  # refuse a malformed one now, not on first upload
    if name == "bus":
        bus_address(url, source)  # a bad namespace is refused at start, not on first message
    return target


def s3_location(target: Target, environ: Mapping[str, str]) -> S3Location:
    """``s3://bucket/prefix?endpoint=URL&region=R`` with keys from the AWS_* variables."""
    parts = urlsplit(target.url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region"}
    if not parts.hostname or unknown:
        raise ConfigError(
            f"{target.source} = {target.url!r} is not an S3 location this server understands.",
            hint=_example("blobs"),
        )
    endpoint = query.get("endpoint")
    if endpoint is not None and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ConfigError(
            f"The S3 endpoint {endpoint!r} in {target.source} is not an http(s) URL.",
            hint=_example("blobs"),
        )
    return S3Location(
        bucket=parts.netloc,
        prefix=parts.path.strip("/"),
        endpoint=endpoint,
        region=query.get("region", "us-east-1"),
        access_key_id=environ.get("AWS_ACCESS_KEY_ID") or None,
        secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY") or None,
    )


def _example(name: str) -> str:
    return {
        "database": "For example postgresql://syncoxide:secret@db.internal:5432/syncoxide",
        "blobs": "For example s3://syncoxide-blobs?endpoint=http://10.0.0.5:9000&region=eu-1 "
        "(keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        "bus": "For example redis://10.0.0.6:6379/0 or nats://10.0.0.6:4222",
    }[name]
