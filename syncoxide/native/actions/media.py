"""Audio and video with ffmpeg: two presets, probed first, progress read from ffmpeg's own log.

- "web video": H.264 (x264, CRF 23, at most 1920 pixels wide) and AAC 128 kb/s in an MP4 with
  its index at the front (``+faststart``), so browsers start playing before it is all loaded.
- "mp3": the first audio stream, LAME VBR quality 2 (about 190 kb/s).

``ffprobe`` runs first: a file with no audio or video stream, or with a codec this ffmpeg
cannot decode, is refused with that reason before any encoding starts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from syncoxide.automation.actions import MP3, WEB_VIDEO
from syncoxide.errors import ActionError, ConfigError, UnsupportedInputError

ACCEPTED_CONTAINERS = frozenset(
    {
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "mp3",
        "wav",
        "flac",
        "ogg",
        "aac",
        "mpeg",
        "mpegts",
        "asf",
    }
)


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            f"{name} is not installed, so audio and video cannot be converted.",
            hint="Install the Debian package ffmpeg.",
        )
    return found


def probe_argv(source: Path) -> list[str]:
    return [
        tool("ffprobe"),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-i",
        f"file:{source}",
    ]


def check_probe(output: str, name: str, preset: str) -> float:
    """The duration in seconds, once the probe shows something this preset can use."""
    try:
        probed = json.loads(output or "{}")
    except ValueError:
        probed = {}
    container = probed.get("format", {}).get("format_name", "")
    streams = probed.get("streams", [])
    if container not in ACCEPTED_CONTAINERS:
        raise UnsupportedInputError(
            f"{name!r} is not an audio or video file this action takes ({container or 'unknown'}).",
            hint="The file was left as it is.",
        )
    wanted = {"audio"} if preset == MP3 else {"audio", "video"}
    usable = [s for s in streams if s.get("codec_type") in wanted and s.get("codec_name")]
    if not usable:
        raise UnsupportedInputError(
            f"{name!r} has no {' or '.join(sorted(wanted))} stream that ffmpeg can decode.",
            hint="Its codec is not supported here; the file was left as it is.",
        )
    return float(probed.get("format", {}).get("duration") or 0.0)


def convert_argv(source: Path, target: Path, preset: str, progress: Path) -> list[str]:
    common = [
        tool("ffmpeg"),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-progress",
        f"file:{progress}",
        "-i",
        f"file:{source}",
        "-threads",
        "2",
    ]
    if preset == WEB_VIDEO:
        return [
            *common,
            "-map",
            "0:v:0?",
            "-map",
            "0:a:0?",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-vf",
            "scale='trunc(min(1920,iw)/2)*2':-2",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            f"file:{target}",
        ]
    if preset == MP3:
        return [
            *common,
            "-map",
            "0:a:0",
            "-vn",
            "-c:a",
            "libmp3lame",
            "-q:a",
            "2",
            "-f",
            "mp3",
            f"file:{target}",
        ]
    raise ActionError(f"No media preset {preset!r}.")


def progress_of(progress: Path, duration: float) -> float | None:
    """How far ffmpeg got (0..1), from the last ``out_time_us`` in its progress file."""
    if duration <= 0 or not progress.exists():
        return None
    done = None
    for line in progress.read_text(errors="replace").splitlines()[-40:]:
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().isdigit():
            done = int(value) / 1e6
    return None if done is None else min(done / duration, 1.0)


def check_made(target: Path, stderr: str, name: str) -> None:
    if not target.is_file() or target.stat().st_size == 0:
        said = stderr.strip().splitlines()[-1:] or ["no message"]
        raise ActionError(
            f"ffmpeg could not convert {name!r}: {said[0]}", hint="The file was left as it is."
        )
