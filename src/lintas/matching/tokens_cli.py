"""``lintas tokens make FILE.csv``: blind match tokens computed on the agency's own machine.

Reads a CSV of identifiers (columns ``value[,type][,country][,role]``, with or without a header row naming them),
normalises each with :mod:`lintas.identifiers` exactly as the server would, and writes ``token,type,role`` rows
with the HMAC tokens under the community key (``LINTAS_COMMUNITY_KEY``). Submitted as blind identifiers
(``{"token": ..., "type": ..., "role": ...}`` in a case), they match the same values recorded in the clear by any
agency, while the values themselves never leave the machine.

An alias or handle with an identifier behind it (a PromptPay alias, a WhatsApp handle: both a phone) gives a second
row with the token of that identifier, so the whole family matches as the value would.

Invalid values are listed with their line numbers on standard error (or ``--errors FILE``) and make the exit code 1;
the valid ones are still written. No Django and no database: this runs on any machine with Lintas installed.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Iterator

from lintas import identifiers
from lintas.matching.tokens import ANY_PLATFORM_KEY, community_key, match_keys, token_for

__all__ = ["main", "make_tokens"]

COLUMNS = ("value", "type", "country", "role")


def _rows(reader) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, {column: cell})``; a first row naming the columns is a header."""
    columns = COLUMNS
    for row in reader:
        number = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower().lstrip("\ufeff") == "value":
            columns = tuple(cell.lower().lstrip("\ufeff") for cell in cells)
            unknown = set(columns) - set(COLUMNS)
            if unknown:
                raise SystemExit(f"unknown column(s) {', '.join(sorted(unknown))}; use {', '.join(COLUMNS)}")
            continue
        yield number, dict(zip(columns, cells, strict=False))


def make_tokens(lines, *, country: str | None = None, key: bytes | None = None):
    """Yield ``("token", token, type, role)`` for each token made, ``("error", line, message)`` for each bad row."""
    key = key or community_key()
    for number, row in _rows(csv.reader(lines)):
        value = row.get("value", "")
        role = row.get("role") or "other"
        try:
            result = identifiers.normalize(value, row.get("type") or None, row.get("country") or country or None)
        except (ValueError, TypeError) as exc:
            yield "error", number, str(exc)
            continue
        if not value or result.type == identifiers.IdentifierType.UNKNOWN or not result.valid:
            reason = "; ".join(result.errors) or "not a recognised identifier"
            yield "error", number, f"{value[:80]!r} is not valid: {reason}"
            continue
        own, linked = match_keys(result)
        yield "token", token_for(key, own), str(result.type), role
        # The any-platform key of a named platform's handle is not sent on its own: as a blind row's own token it
        # would link that handle to the same name on every other platform (decision 0049).
        if linked and not linked.startswith(ANY_PLATFORM_KEY):
            yield "token", token_for(key, linked), linked.split(":", 1)[0], role


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lintas tokens", description="Blind match tokens: identifiers matched without disclosing them."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="CSV of values (value[,type][,country][,role]) to CSV of tokens.")
    make.add_argument("file", help="CSV file, or - for standard input")
    make.add_argument("--out", default="-", help="where to write token,type,role (default: standard output)")
    make.add_argument("--country", help="default country (ISO alpha-2) for local numbers and accounts")
    make.add_argument("--errors", help="write the line-numbered errors here instead of standard error")
    args = parser.parse_args(argv)
    try:
        key = community_key()
    except RuntimeError as exc:
        print(f"lintas tokens: {exc}", file=sys.stderr)
        return 2
    if not os.environ.get("LINTAS_COMMUNITY_KEY", "").strip():
        print(
            "lintas tokens: warning: LINTAS_COMMUNITY_KEY is not set, so these tokens use the development key and "
            "match nothing on a real server. Set it to your community key (see docs/operations.md).",
            file=sys.stderr,
        )
    source = sys.stdin if args.file == "-" else open(args.file, newline="", encoding="utf-8-sig")  # noqa: SIM115
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")  # noqa: SIM115
    errors = sys.stderr if not args.errors else open(args.errors, "w", encoding="utf-8")  # noqa: SIM115
    failed = made = 0
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("token", "type", "role"))
        for kind, *rest in make_tokens(source, country=args.country, key=key):
            if kind == "token":
                writer.writerow(rest)
                made += 1
            else:
                number, message = rest
                errors.write(f"line {number}: {message}\n")
                failed += 1
    finally:
        for handle in (source, out, errors):
            if handle not in (sys.stdin, sys.stdout, sys.stderr):
                handle.close()
    print(f"{made} token(s) written, {failed} invalid line(s)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
