"""Server-rendered pages for people with no account: plain HTML, every value escaped.

These pages run no Python in the browser, so they open instantly in any browser; the request
page adds one small script of our own (``/static/request-upload.js``) for tus uploads, and an
encrypted share's page two (``DECRYPTOR_SCRIPTS``) that decrypt with WebCrypto.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

from syncoxide.server.links.store import Link, LinkFile
from syncoxide.units import format_bytes

# The formats (one global), then the page that uses them; ``defer`` keeps this order.
DECRYPTOR_SCRIPTS = ("/static/share-crypto.js", "/static/share-decrypt.js")

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{title} · syncoxide</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/app.css">
</head>
<body>
  <header class="topbar"><span class="brand">syncoxide</span></header>
  <main class="link-page">
{body}
  </main>
{script}</body>
</html>
"""


def page(title: str, body: str, *scripts: str) -> str:
    tags = "".join(
        f'  <script src="{html.escape(script)}" defer></script>\n' for script in scripts if script
    )
    return _PAGE.format(title=html.escape(title), body=body, script=tags)


def when(timestamp: int | None) -> str:
    if timestamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


def gone_page(message: str) -> str:
    body = f"    <h1>This link no longer works</h1>\n    <p>{html.escape(message)}</p>"
    return page("Link unavailable", body)


def password_page(link: Link, action: str, wrong: str = "") -> str:
    error = f'    <p class="error" role="alert">{html.escape(wrong)}</p>\n' if wrong else ""
    body = (
        f"    <h1>{html.escape(link.title or 'Protected link')}</h1>\n"
        f"{error}"
        f'    <form method="post" action="{html.escape(action)}">\n'
        '      <label>Password <input type="password" name="password" required autofocus>'
        "</label>\n"
        '      <button type="submit">Open</button>\n'
        "    </form>"
    )
    # The key of an encrypted share is in the fragment, which a form post would drop: the
    # decryptor script carries it over to the form's action.
    scripts = DECRYPTOR_SCRIPTS if link.encrypted else ()
    return page("Password needed", body, *scripts)


def files_and_total(count: int, total: int) -> str:
    """``3 files, 12.4 MB in all`` (or ``1 file, 5 B``)."""
    files = "1 file" if count == 1 else f"{count} files"
    return f"{files}, {format_bytes(total)}" + (" in all" if count > 1 else "")


def share_page(link: Link, files: Sequence[LinkFile]) -> str:
    rows = "\n".join(
        f'      <li><a href="/s/{link.id}/files/{f.id}" download>{html.escape(f.path)}</a>'
        f' <span class="muted">{format_bytes(f.size)}</span></li>'
        for f in files
    )
    total = sum(f.size for f in files)
    summary = f'    <p id="share-total">{files_and_total(len(files), total)}</p>\n'
    zip_link = (
        f'    <p><a class="button" href="/s/{link.id}/zip" download>Download everything as a zip'
        f'</a> <span class="muted">{format_bytes(total)}</span></p>\n'
        if len(files) > 1 or any("/" in f.path for f in files)
        else ""
    )
    body = (
        f"    <h1>{html.escape(link.title or 'Shared files')}</h1>\n"
        + (f"    <p>{html.escape(link.message)}</p>\n" if link.message else "")
        + f'    <p class="muted">Available until {when(link.expires_at)}.</p>\n'
        + summary
        + zip_link
        + f'    <ul class="share-files">\n{rows}\n    </ul>'
    )
    return page(link.title or "Shared files", body)


def encrypted_share_page(
    link: Link, files: Sequence[LinkFile], plain_sizes: Sequence[int | None]
) -> str:
    """Names and bytes are ciphertext here; ``share-decrypt.js`` decrypts both in the page.

    ``plain_sizes``: each file's decrypted size, known from its size and header without the key
    (None for a file that is not well formed: its stored size is shown, marked as such)."""
    rows = "\n".join(
        f'      <li data-file="{f.id}" data-path="{html.escape(f.path)}" data-size="{f.size}">'
        f'<span class="name muted">encrypted name</span> '
        f'<span class="muted">{_plain_size(f, plain)}</span> '
        '<button type="button" class="save" disabled>Save</button></li>'
        for f, plain in zip(files, plain_sizes, strict=True)
    )
    pairs = zip(files, plain_sizes, strict=True)
    total = sum(f.size if plain is None else plain for f, plain in pairs)
    summary = f'    <p id="share-total">{files_and_total(len(files), total)}</p>\n'
    body = (
        f"    <h1>{html.escape(link.title or 'Encrypted files')}</h1>\n"
        + (f"    <p>{html.escape(link.message)}</p>\n" if link.message else "")
        + f'    <p class="muted">Available until {when(link.expires_at)}. End-to-end encrypted:'
        " this page decrypts the files on your device with the key in the link.</p>\n"
        + summary
        + f'    <section id="e2e-share" data-share="{html.escape(link.id)}">\n'
        '      <p id="e2e-status" role="status" aria-live="polite">Decrypting names…</p>\n'
        '      <p><button type="button" id="e2e-save-all" disabled>Save all</button></p>\n'
        f'      <ul class="share-files">\n{rows}\n      </ul>\n'
        "    </section>"
    )
    return page(link.title or "Encrypted files", body, *DECRYPTOR_SCRIPTS)


def _plain_size(file: LinkFile, plain: int | None) -> str:
    if plain is None:
        return f"{format_bytes(file.size)} stored (not a well-formed encrypted file)"
    return format_bytes(plain)


def request_page(link: Link, late: bool) -> str:
    notice = (
        '    <p class="warning">The deadline has passed; what you send now is marked late.</p>\n'
        if late
        else ""
    )
    sealed = (
        '    <p class="muted" id="sealed-note">End-to-end encrypted: files and their names are'
        " encrypted in this browser for the person who asked; the server cannot read them.</p>\n"
        '    <script src="/static/request-seal.js" defer></script>\n'
        if link.public_key
        else ""
    )
    key = f' data-public-key="{html.escape(link.public_key)}"' if link.public_key else ""
    body = (
        f"    <h1>{html.escape(link.title or 'Send files')}</h1>\n"
        + (f"    <p>{html.escape(link.message)}</p>\n" if link.message else "")
        + f'    <p class="muted">Deadline: {when(link.expires_at)}.</p>\n'
        + notice
        + sealed
        + f'    <section id="drop" class="drop" data-request="{html.escape(link.id)}"{key}>\n'
        "      <p>Drop files or folders here, or choose them:</p>\n"
        '      <input type="file" id="pick-files" multiple>\n'
        '      <label>Folder <input type="file" id="pick-folder" webkitdirectory></label>\n'
        "    </section>\n"
        '    <ul id="uploads" class="uploads"></ul>'
    )
    return page(link.title or "Send files", body, "/static/request-upload.js")
