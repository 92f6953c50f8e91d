"""PDFs: images gathered into one (img2pdf), and a text or image watermark on every page (pypdf).

img2pdf embeds JPEG and PNG data as it is (no re-encoding, so a scan loses nothing) and turns
each image's EXIF orientation into the page's rotation. What it cannot embed as is (WebP, BMP,
GIF, transparency), and any image the user asked to shrink or stamp, first goes through
Pillow into a PNG or JPEG in the job's scratch folder.

The watermark is a small PDF content stream drawn over each page: the standard Helvetica
font (every reader has it, nothing is embedded), grey, 30% opaque, across the page at 45°.
Helvetica speaks Windows-1252, so other characters are shown as "?".

An image watermark (a logo) becomes a one-page PDF through Pillow, which is then drawn on each
page: a fifth of the page's width, in the lower right corner, half opaque through the same kind
of graphics state. Pillow's PDF holds no transparency, so a logo's transparent parts show as
white at half strength.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import img2pdf
from PIL import Image
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from syncoxide.automation.actions import ActionOptions
from syncoxide.errors import ActionError, UnsupportedInputError
from syncoxide.native.actions.images import LOGO_OPACITY, LOGO_SHARE, convert_image, open_image

AS_IS = frozenset({"JPEG", "PNG"})


def images_to_pdf(
    sources: list[Path], target: Path, options: ActionOptions, scratch: Path
) -> dict[str, int]:
    pages = [_embeddable(source, index, options, scratch) for index, source in enumerate(sources)]
    try:
        data = img2pdf.convert([str(page) for page in pages], rotation=img2pdf.Rotation.ifvalid)
    except (img2pdf.ImageOpenError, ValueError, OSError) as error:
        raise ActionError(f"The images could not be put into a PDF: {error}.") from None
    target.write_bytes(data)
    return {"pages": len(pages)}


def _embeddable(source: Path, index: int, options: ActionOptions, scratch: Path) -> Path:
    image = open_image(source)  # checks the type and decodes fully: a damaged scan stops here
    plain = image.format in AS_IS if image.format else False
    stamped = options.watermark or options.watermark_image
    if plain and "A" not in image.mode and not options.max_size and not stamped:
        return source
    lossy = image.mode in ("RGB", "L", "CMYK") or options.max_size is not None
    suffix, name = ("jpg", "JPEG") if lossy else ("png", "PNG")
    copy = scratch / f"page-{index:05d}.{suffix}"
    flat = ActionOptions(
        max_size=options.max_size,
        quality=options.quality,
        watermark=options.watermark,
        watermark_image=options.watermark_image,
        image_format=name,
    )
    convert_image(source, copy, flat)
    return copy


def watermark_pdf(source: Path, target: Path, options: ActionOptions) -> dict[str, int]:
    reader = _open_pdf(source)
    writer = PdfWriter(clone_from=reader)
    logo = _logo_page(Path(options.watermark_image)) if options.watermark_image else None
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if logo is not None:
            page.merge_transformed_page(logo, _logo_place(logo, width, height))
        if options.watermark:
            page.merge_page(_stamp(options.watermark, width, height))
    with target.open("wb") as out:
        writer.write(out)
    return {"pages": len(writer.pages)}


def _logo_page(path: Path) -> PageObject:
    """The logo as one PDF page of its own size, drawn half opaque."""
    logo = open_image(path)
    flat = logo.convert("RGBA")
    white = Image.new("RGB", flat.size, (255, 255, 255))
    white.paste(flat, mask=flat.getchannel("A"))
    made = io.BytesIO()
    white.save(made, "PDF", resolution=72.0)
    page = PdfWriter(clone_from=PdfReader(made)).pages[0]
    content = page.get_contents()
    data = content.get_data() if content is not None else b""
    stream = ContentStream(None, None)
    stream.set_data(b"q /SxoLogo gs " + data + b" Q")
    page.replace_contents(stream)
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)  # Pillow writes one for its image
    resources[NameObject("/ExtGState")] = DictionaryObject(
        {NameObject("/SxoLogo"): _opacity(LOGO_OPACITY)}
    )
    return page


def _logo_place(logo: PageObject, width: float, height: float) -> Transformation:
    """Scaled to a fifth of the page's width and set in its lower right corner."""
    logo_width = float(logo.mediabox.width)
    scale = width * LOGO_SHARE / logo_width
    margin = min(width, height) / 36
    x = width - logo_width * scale - margin
    return Transformation().scale(scale, scale).translate(x, margin)


def _open_pdf(source: Path) -> PdfReader:
    try:
        reader = PdfReader(source)
        if reader.is_encrypted:
            raise UnsupportedInputError(
                f"{source.name!r} is protected by a password.",
                hint="Remove the password first; the file was left as it is.",
            )
        if not reader.pages:
            raise ActionError(f"{source.name!r} has no pages.")
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise ActionError(
            f"{source.name!r} could not be read as a PDF: {error}.",
            hint="The file may be damaged; it was left as it is.",
        ) from None
    return reader


def _stamp(text: str, width: float, height: float) -> PageObject:
    page = PageObject.create_blank_page(width=width, height=height)
    size = max(12.0, min(width, height) / 12)
    angle = math.radians(45)
    cos, sin = math.cos(angle), math.sin(angle)
    advance = 0.55 * size * len(text)  # Helvetica's mean width: centres well enough
    x = width / 2 - cos * advance / 2
    y = height / 2 - sin * advance / 2
    stream = ContentStream(None, None)
    stream.set_data(
        (
            f"q /Stamp gs 0.5 g BT /Stamp {size:.2f} Tf "
            f"{cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} {x:.2f} {y:.2f} Tm "
        ).encode()
        + b"("
        + pdf_string(text)
        + b") Tj ET Q"
    )
    page.replace_contents(stream)
    page[NameObject("/Resources")] = _resources()
    return page


def _resources() -> DictionaryObject:
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    state = _opacity(0.3)
    return DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/Stamp"): font}),
            NameObject("/ExtGState"): DictionaryObject({NameObject("/Stamp"): state}),
            NameObject("/ProcSet"): ArrayObject([NameObject("/PDF"), NameObject("/Text")]),
        }
    )


def _opacity(alpha: float) -> DictionaryObject:
    """A graphics state that paints (text and images alike) ``alpha`` opaque."""
    return DictionaryObject(
        {NameObject("/Type"): NameObject("/ExtGState"), NameObject("/ca"): FloatObject(alpha)}
    )


def pdf_string(text: str) -> bytes:
    """``text`` as the inside of a PDF literal string in Windows-1252."""
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
