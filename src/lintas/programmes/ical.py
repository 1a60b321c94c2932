"""A small iCalendar (RFC 5545) writer for an edition's agenda: one VEVENT per session, times in UTC.

No dependency: the format needs three rules done right, and they are tested: text values escape backslash,
semicolon, comma and line breaks (3.3.11); content lines end in CRLF and are folded at 75 octets, never inside a
UTF-8 character (3.1); times are UTC with a trailing ``Z`` (3.3.5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

__all__ = ["calendar", "escape_text", "fold", "format_utc"]

_LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it: ``\\`` ``;`` ``,`` escaped, line breaks as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded into pieces of at most 75 octets (continuations start with a space), CRLF-ended."""
    pieces, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        limit = _LINE_OCTETS if not pieces else _LINE_OCTETS - 1  # a continuation's leading space is one octet
        if size + octets > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += octets
    pieces.append(current)
    return "\r\n ".join(pieces) + "\r\n"


def format_utc(moment: dt.datetime) -> str:
    """An aware datetime as a UTC DATE-TIME: ``20211115T000000Z``."""
    if moment.tzinfo is None:
        raise ValueError("iCalendar times must be aware")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[dict], *, stamp: dt.datetime, domain: str = "lintas") -> str:
    """A VCALENDAR with one VEVENT per event dict (``uid``, ``start``, ``end``, ``summary``, optional
    ``description`` and ``location``)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lintas//Programmes//EN", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}@{domain}",
            f"DTSTAMP:{format_utc(stamp)}",
            f"DTSTART:{format_utc(event['start'])}",
            f"DTEND:{format_utc(event['end'])}",
            f"SUMMARY:{escape_text(event['summary'])}",
        ]
        if event.get("description"):
            lines.append(f"DESCRIPTION:{escape_text(event['description'])}")
        if event.get("location"):
            lines.append(f"LOCATION:{escape_text(event['location'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
