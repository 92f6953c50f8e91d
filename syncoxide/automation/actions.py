"""The actions, their options, and which one turns these inputs into that output.

``plan_conversion`` is what ``syncoxide convert IN OUT`` and an automation rule both use: it
looks at names only (the native action checks the bytes), so a plan is cheap and testable::

    photo.heic   -> photo.jpg      convert-image     (format, size, quality; EXIF orientation)
    a.png b.jpg  -> scans.pdf      images-to-pdf     (one page per image, lossless where it can)
    report.docx  -> report.pdf     office-to-pdf     (LibreOffice headless)
    photos.zip   -> photos/        unzip             (a target ending in "/" unpacks)
    clip.mov     -> clip.mp4       convert-media     preset "web video" (H.264 + AAC)
    talk.wav     -> talk.mp3       convert-media     preset "mp3"
    deck.pdf     -> deck.pdf       watermark-pdf     (needs a watermark text or image)

A watermark is a text, an image (a logo: made a fifth of the picture's or page's width, half
opaque, in the lower right corner), or both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from syncoxide.errors import UsageError


class Action(StrEnum):
    CONVERT_IMAGE = "convert-image"
    IMAGES_TO_PDF = "images-to-pdf"
    OFFICE_TO_PDF = "office-to-pdf"
    UNZIP = "unzip"
    CONVERT_MEDIA = "convert-media"
    WATERMARK_PDF = "watermark-pdf"


WEB_VIDEO, MP3 = "web video", "mp3"
MEDIA_PRESETS = (WEB_VIDEO, MP3)

IMAGE_SUFFIXES = frozenset({"jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"})
#: What Pillow writes for each output suffix.
IMAGE_FORMATS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "gif": "GIF",
    "bmp": "BMP",
    "tif": "TIFF",
    "tiff": "TIFF",
}
OFFICE_SUFFIXES = frozenset(
    {"doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "txt"}
)
ARCHIVE_SUFFIXES = frozenset({"zip"})
MEDIA_SUFFIXES = frozenset(
    {"mp4", "m4v", "mov", "mkv", "webm", "avi", "mp3", "m4a", "wav", "flac", "ogg", "opus", "aac"}
)
VIDEO_OUTPUTS = {"mp4": WEB_VIDEO}
AUDIO_OUTPUTS = {"mp3": MP3}


@dataclass(frozen=True)
class ActionOptions:
    """What the user may tune. ``None`` leaves the action's own default."""

    max_size: int | None = None  # the longest side in pixels, for images
    quality: int | None = None  # 1-100, for lossy image formats
    watermark: str = ""  # text stamped on images and PDF pages
    watermark_image: str = ""  # an image file stamped on images and PDF pages
    image_format: str = ""  # Pillow's name (JPEG, PNG...): set by the plan
    preset: str = ""  # convert-media: WEB_VIDEO or MP3

    def __post_init__(self) -> None:
        if self.max_size is not None and not 16 <= self.max_size <= 20_000:
            raise UsageError(f"--max-size {self.max_size} is outside 16..20000 pixels.")
        if self.quality is not None and not 1 <= self.quality <= 100:
            raise UsageError(f"--quality {self.quality} is outside 1..100.")
        if len(self.watermark) > 200:
            raise UsageError("A watermark is at most 200 characters.")
        if self.watermark_image and suffix_of(self.watermark_image) not in IMAGE_SUFFIXES:
            raise UsageError(
                f"The watermark image {self.watermark_image!r} is not an image file.",
                hint=f"Use one of: {', '.join(sorted(IMAGE_SUFFIXES))}.",
            )
        if self.preset and self.preset not in MEDIA_PRESETS:
            raise UsageError(f"No media preset {self.preset!r}; there are {MEDIA_PRESETS}.")


@dataclass(frozen=True)
class ConversionPlan:
    action: Action
    options: ActionOptions = field(default_factory=ActionOptions)


def suffix_of(name: str) -> str:
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def plan_conversion(
    inputs: list[str], output: str, options: ActionOptions | None = None
) -> ConversionPlan:
    """The action that makes ``output`` from ``inputs``, judged by their names."""
    options = options or ActionOptions()
    if not inputs:
        raise UsageError("Name at least one input file.")
    kinds = {_input_kind(name) for name in inputs}
    target = suffix_of(output)
    if output.endswith("/"):
        return _plan_folder(inputs, kinds, options)
    if len(inputs) > 1 and not (kinds == {"image"} and target == "pdf"):
        raise UsageError(
            "Several inputs make one output only as images into a PDF.",
            hint="Convert the other files one at a time.",
        )
    plan = _plan_single(kinds.pop(), target, options)
    if plan is None:
        raise UsageError(
            f"No action turns {inputs[0]!r} into {output!r}.",
            hint="Images become other images or a PDF; office files a PDF; a .zip unpacks into"
            " a folder (a target ending in /); audio and video become .mp4 or .mp3; a PDF"
            " takes --watermark or --watermark-image.",
        )
    return plan


def _plan_folder(inputs: list[str], kinds: set[str], options: ActionOptions) -> ConversionPlan:
    if kinds != {"archive"} or len(inputs) != 1:
        raise UsageError("A target ending in / unpacks one .zip archive; give exactly one.")
    return ConversionPlan(Action.UNZIP, options)


def _plan_single(kind: str, target: str, options: ActionOptions) -> ConversionPlan | None:
    if kind == "image" and target in IMAGE_FORMATS:
        return ConversionPlan(Action.CONVERT_IMAGE, _with(options, image_format=target))
    if kind == "image" and target == "pdf":
        return ConversionPlan(Action.IMAGES_TO_PDF, options)
    if kind == "office" and target == "pdf":
        return ConversionPlan(Action.OFFICE_TO_PDF, options)
    if kind == "pdf" and target == "pdf" and (options.watermark or options.watermark_image):
        return ConversionPlan(Action.WATERMARK_PDF, options)
    if kind == "media" and target in VIDEO_OUTPUTS:
        return ConversionPlan(Action.CONVERT_MEDIA, _with(options, preset=VIDEO_OUTPUTS[target]))
    if kind == "media" and target in AUDIO_OUTPUTS:
        return ConversionPlan(Action.CONVERT_MEDIA, _with(options, preset=AUDIO_OUTPUTS[target]))
    return None


def _with(options: ActionOptions, *, image_format: str = "", preset: str = "") -> ActionOptions:
    return ActionOptions(
        max_size=options.max_size,
        quality=options.quality,
        watermark=options.watermark,
        watermark_image=options.watermark_image,
        image_format=IMAGE_FORMATS.get(image_format, options.image_format),
        preset=preset or options.preset,
    )


def _input_kind(name: str) -> str:
    suffix = suffix_of(name)
    for kind, suffixes in (
        ("image", IMAGE_SUFFIXES),
        ("office", OFFICE_SUFFIXES),
        ("archive", ARCHIVE_SUFFIXES),
        ("media", MEDIA_SUFFIXES),
        ("pdf", frozenset({"pdf"})),
    ):
        if suffix in suffixes:
            return kind
    return "unknown"
