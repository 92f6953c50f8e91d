"""Server-rendered pages for people with no account (``templates/links/``).

These pages run no Python in the browser, so they open instantly in any browser; the request
page adds one small script of our own (``/static/request-upload.js``) for tus uploads, and an
encrypted share's page two (``DECRYPTOR_SCRIPTS``) that decrypt with WebCrypto.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from syncoxide.server.links.store import Link, LinkFile
from syncoxide.server.pages.templates import render_page
from syncoxide.units import counted, format_bytes

# The formats (one global), then the page that uses them; ``defer`` keeps this order.
DECRYPTOR_SCRIPTS = ("/static/share-crypto.js", "/static/share-decrypt.js")


def gone_page(
    request: Request, message: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    context = {"title": "Link unavailable", "message": message, "scripts": ()}
    return render_page(request, "links/gone.html", context, status=status, headers=headers)


def password_page(
    request: Request,
    link: Link,
    action: str,
    *,
    wrong: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    # The key of an encrypted share is in the fragment, which a form post would drop: the
    # decryptor script carries it over to the form's action.
    scripts = DECRYPTOR_SCRIPTS if link.encrypted else ()
    context = {
        "title": "Password needed",
        "link": link,
        "action": action,
        "wrong": wrong,
        "scripts": scripts,
    }
    return render_page(request, "links/password.html", context, status=status, headers=headers)


def share_page(
    request: Request,
    link: Link,
    files: Sequence[LinkFile],
    plain_sizes: Sequence[int | None] | None = None,
) -> Response:
    """``plain_sizes``: an encrypted share's decrypted sizes, known from each file's size and
    header without the key (None for a file that is not well formed: its stored size is shown,
    marked as such)."""
    scripts: tuple[str, ...]
    if link.encrypted:
        title, name, scripts = link.title or "Encrypted files", "encrypted_share", DECRYPTOR_SCRIPTS
    else:
        title, name, scripts = link.title or "Shared files", "share", ()
    shown = list(plain_sizes) if plain_sizes is not None else [f.size for f in files]
    pairs = list(zip(files, shown, strict=True))
    total = sum(f.size if size is None else size for f, size in pairs)
    context = {
        "title": title,
        "link": link,
        "files": files,
        "sizes": [_size_text(f, size) for f, size in pairs],
        "total": files_and_total(len(files), total),
        "offer_zip": len(files) > 1 or any("/" in f.path for f in files),
        "scripts": scripts,
    }
    return render_page(request, f"links/{name}.html", context)


def files_and_total(count: int, total: int) -> str:
    """``3 files, 12.4 MB in all`` (or ``1 file, 5 B``)."""
    return f"{counted(count, 'file')}, {format_bytes(total)}" + (" in all" if count > 1 else "")


def _size_text(file: LinkFile, size: int | None) -> str:
    if size is None:
        return f"{format_bytes(file.size)} stored (not a well-formed encrypted file)"
    return format_bytes(size)


def request_page(request: Request, link: Link, late: bool) -> Response:
    context = {
        "title": link.title or "Send files",
        "link": link,
        "late": late,
        "scripts": ("/static/request-upload.js",),
    }
    return render_page(request, "links/request.html", context)
