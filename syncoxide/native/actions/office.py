"""Office documents to PDF with LibreOffice headless: one private profile per job, macros off.

Each run gets its own ``UserInstallation`` in the job's scratch folder, so two conversions never
share a profile (a shared one makes the second wait or fail on its lock) and nothing of one
document's settings reaches the next. That profile is seeded before the start with macro
security at its highest and macro execution disabled, so a document's macros are never run.
The input is copied under a fixed name (``input.<suffix>``): a name that starts with ``-``
cannot be taken for an option, and the suffix picks LibreOffice's import filter.
LibreOffice answers 0 even when it could not read a file, so success is the PDF existing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from syncoxide.automation.actions import OFFICE_SUFFIXES, suffix_of
from syncoxide.automation.sniff import OLE, PDF, RTF, SNIFF_BYTES, UNKNOWN, ZIP, sniff
from syncoxide.errors import ActionError, ConfigError, UnsupportedInputError

NO_MACROS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""
#: What each container may be: an OOXML or ODF file is a zip, a legacy one an OLE file.
_CONTAINERS = {
    ZIP: {"docx", "xlsx", "pptx", "odt", "ods", "odp"},
    OLE: {"doc", "xls", "ppt"},
    RTF: {"rtf", "doc"},
}


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise ConfigError(
            "LibreOffice is not installed, so office files cannot be turned into PDFs.",
            hint="Install the Debian package libreoffice-writer-nogui (and -calc/-impress).",
        )
    return found


def prepare(source: Path, scratch: Path) -> tuple[list[str], Path]:
    """The command to run and where its PDF will be; the input is checked and copied first."""
    suffix = suffix_of(source.name)
    _check_type(source, suffix)
    profile = scratch / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(NO_MACROS)
    work = scratch / "in"
    work.mkdir()
    copy = work / f"input.{suffix}"
    shutil.copyfile(source, copy)
    argv = [
        soffice(),
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(scratch / "out"),
        str(copy),
    ]
    return argv, scratch / "out" / "input.pdf"


def _check_type(source: Path, suffix: str) -> None:
    if suffix not in OFFICE_SUFFIXES:
        raise UnsupportedInputError(
            f"{source.name!r} is not an office document this action takes.",
            hint=f"Accepted: {', '.join(sorted(OFFICE_SUFFIXES))}.",
        )
    with source.open("rb") as head:
        kind, _ = sniff(head.read(SNIFF_BYTES))
    if suffix == "txt":
        if kind not in (UNKNOWN,):
            raise UnsupportedInputError(f"{source.name!r} is named .txt but is not plain text.")
        return
    if suffix not in _CONTAINERS.get(kind, set()) or kind == PDF:
        raise UnsupportedInputError(
            f"{source.name!r} is named .{suffix} but its content is not such a document.",
            hint="The file was left as it is.",
        )


def check_made(pdf: Path, stderr: str, name: str) -> None:
    if not pdf.is_file() or pdf.stat().st_size == 0:
        said = stderr.strip().splitlines()[-1:] or ["no message"]
        raise ActionError(
            f"LibreOffice could not turn {name!r} into a PDF ({said[0]}).",
            hint="The document may be damaged or in a format LibreOffice does not read.",
        )
