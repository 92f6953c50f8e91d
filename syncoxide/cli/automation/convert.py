"""``syncoxide convert INPUT... OUTPUT``: run one action on local files, picked from the names.

The same code and the same limits as the server's jobs (``syncoxide.native.actions``)::

    syncoxide convert photo.jpg small.webp --max-size 1600 --quality 80
    syncoxide convert scan1.jpg scan2.png scans.pdf
    syncoxide convert report.docx report.pdf
    syncoxide convert photos.zip photos/          # a target ending in / unpacks
    syncoxide convert clip.mov clip.mp4           # preset "web video"; .mp3 for audio
    syncoxide convert deck.pdf deck-draft.pdf --watermark DRAFT
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from syncoxide.automation.actions import ActionOptions, plan_conversion
from syncoxide.native.actions.runner import ActionRun, run_action


def register(commands: Any) -> None:
    convert = commands.add_parser(
        "convert",
        help="convert files: images, PDFs, office documents, zips, audio and video",
        description="Turn INPUT into OUTPUT; the action is picked from the two names "
        "(an OUTPUT ending in / unpacks an archive; several images make one PDF).",
    )
    convert.add_argument("paths", nargs="+", metavar="INPUT... OUTPUT")
    convert.add_argument(
        "--max-size", type=int, metavar="PIXELS", help="longest side of images, in pixels"
    )
    convert.add_argument("--quality", type=int, metavar="Q", help="JPEG/WebP quality, 1-100")
    convert.add_argument(
        "--watermark", default="", metavar="TEXT", help="stamp TEXT on images and PDF pages"
    )
    convert.add_argument(
        "--watermark-image",
        default="",
        metavar="IMAGE",
        help="stamp IMAGE (a logo) on images and PDF pages, lower right, half opaque",
    )
    convert.set_defaults(run=_convert)


def _convert(args: argparse.Namespace) -> int:
    if len(args.paths) < 2:
        print("syncoxide convert: name an input and an output.")
        return 2
    *inputs, output = args.paths
    logo = str(Path(args.watermark_image).resolve()) if args.watermark_image else ""
    options = ActionOptions(
        max_size=args.max_size,
        quality=args.quality,
        watermark=args.watermark,
        watermark_image=logo,
    )
    plan = plan_conversion(inputs, output, options)
    run = ActionRun(plan, [Path(p) for p in inputs], Path(output))
    result = run_action(run)
    details = ", ".join(f"{key} {value}" for key, value in sorted(result.details.items()))
    extra = f" ({details})" if details else ""
    print(f"{plan.action.value}: wrote {output}{extra} in {result.seconds:.1f} s")
    return 0
