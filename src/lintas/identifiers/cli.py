"""``lintas identify``: normalise identifiers or find them in text, from the command line (no Django needed).

lintas identify [--type TYPE] [--country CC] [--json] VALUE...
lintas identify --text FILE [--country CC] [--json]       (FILE "-" reads standard input)
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence

from .core import detect, normalize, resolve_type
from .extract import extract
from .types import IdentifierType, Result

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    types = ", ".join(t.value for t in IdentifierType if t is not IdentifierType.UNKNOWN)
    parser = argparse.ArgumentParser(
        prog="lintas identify",
        description="Normalise identifiers (phone, bank account, wallet, e-mail ...) or extract them from text.",
        epilog=f"Types: {types}. Without --type the type is detected.",
    )
    parser.add_argument("values", nargs="*", metavar="VALUE", help="values to normalise")
    parser.add_argument("--type", "-t", dest="type", help="identifier type (detected when omitted)")
    parser.add_argument("--country", "-c", help="ISO 3166 alpha-2 country for local numbers, e.g. KR")
    parser.add_argument("--text", metavar="FILE", help="find identifiers in the text of FILE ('-' for stdin)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return 0 when it ran (whatever the validity of the values), 2 on bad usage."""
    parser = _parser()
    try:
        args = parser.parse_intermixed_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    try:
        if args.type is not None:
            resolve_type(args.type)
        if args.text is None and not args.values:
            parser.error("give at least one VALUE, or --text FILE")
        if args.text is not None and (args.values or args.type):
            parser.error("--text takes no VALUE and no --type")
        if args.text is not None:
            text = _read(args.text)
            results = extract(text, args.country)
        else:
            results = [
                normalize(value, args.type, args.country) if args.type else detect(value, args.country).best
                for value in args.values
            ]
    except SystemExit as exc:
        return int(exc.code or 0)
    except (ValueError, OSError) as exc:
        print(f"lintas identify: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        for result in results:
            print(json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=False))
    else:
        _table(results, with_offsets=args.text is not None)
    return 0


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide characters (Hangul, CJK) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def _cut(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def _table(results: list[Result], with_offsets: bool) -> None:
    if not results:
        print("no identifiers found" if with_offsets else "")
        return
    headers = ["input", "type", "value", "valid", "country", "notes"]
    if with_offsets:
        headers.insert(0, "at")
    rows = []
    for r in results:
        notes = "; ".join([*r.errors, *r.warnings])
        row = [r.input.replace("\n", " "), str(r.type), r.value, "yes" if r.valid else "NO", r.country, notes]
        if with_offsets:
            row.insert(0, f"{r.start}-{r.end}")
        rows.append([_cut(cell, 60) for cell in row])
    widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        print("  ".join(cells).rstrip())
