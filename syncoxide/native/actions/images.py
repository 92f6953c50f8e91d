"""Images: convert (format, size, quality), stamp a text or image watermark.

Runs inside the action's child process (``child.py``), under its memory limit. Pillow decodes;
EXIF orientation is applied to the pixels first, so a phone photo taken upright stays upright
in every output, and the written file says "orientation 1" (nothing left to rotate twice).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from syncoxide.automation.actions import ActionOptions
from syncoxide.errors import ActionError, UnsupportedInputError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"})
#: Pillow refuses images above twice this as decompression bombs (a 120 megapixel ceiling).
Image.MAX_IMAGE_PIXELS = 60_000_000
DEFAULT_QUALITY = 85
LOSSY = frozenset({"JPEG", "WEBP"})
NO_ALPHA = frozenset({"JPEG", "BMP"})


def open_image(path: Path) -> Image.Image:
    """The decoded image, upright; a clear error for anything that is not an accepted image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            if image.format not in ACCEPTED_FORMATS:
                raise UnsupportedInputError(
                    f"{path.name!r} is a {image.format} image, which this action does not take.",
                    hint=f"Accepted: {', '.join(sorted(ACCEPTED_FORMATS))}.",
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ActionError(f"{path.name!r} is too large to decode safely: {error}") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ActionError(
            f"{path.name!r} could not be read as an image: {error}.",
            hint="The file may be damaged or cut short; it was left as it is.",
        ) from None
    return ImageOps.exif_transpose(image)


def convert_image(source: Path, target: Path, options: ActionOptions) -> dict[str, int]:
    image = open_image(source)
    image = _resized(image, options.max_size)
    if options.watermark_image:
        image = stamp_image(image, open_image(Path(options.watermark_image)))
    if options.watermark:
        image = stamp_text(image, options.watermark)
    image_format = options.image_format or "JPEG"
    image = _fit_mode(image, image_format)
    save_options: dict[str, object] = {}
    if image_format in LOSSY:
        save_options["quality"] = options.quality or DEFAULT_QUALITY
    exif = image.getexif()
    if image_format in {"JPEG", "WEBP", "PNG", "TIFF"} and len(exif):
        save_options["exif"] = exif
    image.save(target, image_format, **save_options)
    return {"width": image.width, "height": image.height}


def _resized(image: Image.Image, max_size: int | None) -> Image.Image:
    if max_size and max(image.size) > max_size:
        image = image.copy()
        image.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    return image


def _fit_mode(image: Image.Image, image_format: str) -> Image.Image:
    """JPEG and BMP hold no transparency: flatten it onto white, as a viewer would show it."""
    if image_format in NO_ALPHA and image.mode not in ("RGB", "L"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("P", "PA") and image_format not in {"GIF", "PNG"}:
        return image.convert("RGBA")
    return image


def stamp_text(image: Image.Image, text: str) -> Image.Image:
    """``text`` in the lower right corner, white with a dark outline, half opaque."""
    base = image.convert("RGBA")
    size = max(12, min(base.size) // 18)
    font = ImageFont.load_default(size=size)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=2)
    margin = size // 2
    at = (base.width - (right - left) - margin, base.height - (bottom - top) - margin)
    draw.text(
        at, text, font=font, fill=(255, 255, 255, 140), stroke_width=2, stroke_fill=(0, 0, 0, 140)
    )
    stamped = Image.alpha_composite(base, layer)
    return stamped if "A" in image.mode else stamped.convert("RGB")


#: A logo watermark's width against the picture's, and how opaque it is drawn.
LOGO_SHARE = 0.2
LOGO_OPACITY = 0.5


def stamp_image(image: Image.Image, logo: Image.Image) -> Image.Image:
    """``logo`` a fifth of the width, half opaque (its own transparency kept), lower right."""
    base = image.convert("RGBA")
    width = max(1, round(base.width * LOGO_SHARE))
    height = max(1, round(logo.height * width / logo.width))
    mark = logo.convert("RGBA").resize((width, height), Image.Resampling.LANCZOS)
    alpha = mark.getchannel("A").point(lambda value: round(value * LOGO_OPACITY))
    mark.putalpha(alpha)
    margin = max(1, min(base.size) // 36)
    at = (max(0, base.width - width - margin), max(0, base.height - height - margin))
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    layer.paste(mark, at)
    stamped = Image.alpha_composite(base, layer)
    return stamped if "A" in image.mode else stamped.convert("RGB")
