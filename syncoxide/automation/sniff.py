"""What a file is, from its first bytes: the allow-lists of the actions are checked on content.

A name can lie (``scan.jpg`` holding a zip). The office conversion checks these bytes before
LibreOffice sees them; the image, PDF and media actions rely on their decoder (Pillow, pypdf,
ffmpeg) refusing what it cannot read. Only the leading magic is read (``SNIFF_BYTES``); the
decoder itself is the final judge and its refusal becomes a clear ``ActionError``.
"""

from __future__ import annotations

SNIFF_BYTES = 64

IMAGE, PDF, ZIP, OLE, RTF, MEDIA, UNKNOWN = (
    "image",
    "pdf",
    "zip",
    "ole",
    "rtf",
    "media",
    "unknown",
)

# (offset, magic, kind, detail)
_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\xff\xd8\xff", IMAGE, "jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", IMAGE, "png"),
    (0, b"GIF87a", IMAGE, "gif"),
    (0, b"GIF89a", IMAGE, "gif"),
    (0, b"BM", IMAGE, "bmp"),
    (0, b"II*\x00", IMAGE, "tiff"),
    (0, b"MM\x00*", IMAGE, "tiff"),
    (0, b"%PDF-", PDF, "pdf"),
    (0, b"PK\x03\x04", ZIP, "zip"),
    (0, b"PK\x05\x06", ZIP, "zip"),  # an empty archive
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE, "ole"),  # .doc, .xls, .ppt
    (0, b"{\\rtf", RTF, "rtf"),
    (0, b"ID3", MEDIA, "mp3"),
    (0, b"\xff\xfb", MEDIA, "mp3"),
    (0, b"\xff\xf3", MEDIA, "mp3"),
    (0, b"OggS", MEDIA, "ogg"),
    (0, b"fLaC", MEDIA, "flac"),
    (0, b"\x1a\x45\xdf\xa3", MEDIA, "matroska"),  # mkv, webm
    (4, b"ftyp", MEDIA, "mp4"),  # mp4, mov, m4a (HEIC too: told apart below)
)
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif")


def sniff(start: bytes) -> tuple[str, str]:
    """``(kind, detail)`` of a file beginning with ``start``: ``("image", "png")``."""
    if start[:4] == b"RIFF" and start[8:12] == b"WEBP":
        return IMAGE, "webp"
    if start[:4] == b"RIFF" and start[8:12] in (b"WAVE", b"AVI "):
        return MEDIA, start[8:12].decode().strip().lower()
    if start[4:8] == b"ftyp" and start[8:12] in _HEIF_BRANDS:
        return IMAGE, "heif"
    for offset, magic, kind, detail in _MAGIC:
        if start[offset : offset + len(magic)] == magic:
            return kind, detail
    return UNKNOWN, ""
