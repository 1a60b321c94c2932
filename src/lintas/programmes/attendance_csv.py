"""Reading an online platform's attendance export (Zoom, Microsoft Teams, Webex) into rows keyed by e-mail.

No platform writes the same file: Zoom puts a meeting summary above the participants (whose header also has a "User
Email" column, the host's), Teams writes UTF-16 with tabs and numbered sections ("1. Summary", "2. Participants"),
Webex names its columns "Participant Email" or "Email". So the reader

- decodes UTF-8 (with or without a byte order mark) or UTF-16 (with a byte order mark, or without one when every
  other byte is NUL, as Teams' "Download attendance list" can write), nothing else;
- finds the delimiter (tab, comma or semicolon) and the participants' header: the first row naming an e-mail column
  together with a name or a join-time column (the meeting summary has neither);
- reads rows from there to the first blank row or the next section, each with its line number in the file;
- reads join and leave times in the shapes the platforms write (ISO 8601, ``11/15/2021 09:31:22 AM``,
  ``15/11/2021, 09:31:22``, ``Nov 15, 2021 09:31 AM``); a day-month order that could be read both ways is read the
  way that falls within the edition's dates, month first when both do.

It writes nothing: ``lintas.programmes.services.import_attendance`` matches the rows to participants and sessions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

__all__ = ["MAX_BYTES", "MAX_ROWS", "ExportRow", "ParsedExport", "UnreadableExport", "parse_export"]

MAX_BYTES = 2 * 1024 * 1024  # a five-day programme's exports are a few hundred rows; 2 MB is thousands
MAX_ROWS = 20_000

EMAIL_HEADERS = (
    "email", "e-mail", "email address", "e-mail address", "user email", "participant email", "attendee email",
    "participant id (upn)", "upn",
)  # fmt: skip
NAME_HEADERS = (
    "name", "full name", "participant name", "attendee name", "display name", "name (original name)", "user name",
)  # fmt: skip

_DATE_FORMATS = [
    # Month first (Zoom's and Teams' default) before day first: both are tried, the edition's dates decide.
    f"{date} {clock}"
    for date in ("%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y", "%d/%m/%y", "%Y/%m/%d", "%d.%m.%Y", "%b %d %Y", "%d %b %Y")
    for clock in ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M")
]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UnreadableExport(Exception):
    """The file as a whole cannot be read (encoding, size, no participants' header): nothing is imported."""


@dataclass
class ExportRow:
    line: int
    email: str
    name: str
    joined_at: dt.datetime | None
    left_at: dt.datetime | None


@dataclass
class ParsedExport:
    rows: list[ExportRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"line": n, "message": "..."}
    header_line: int = 0


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif len(content) >= 4 and content[1::2].count(0) > len(content) // 4:
        encoding = "utf-16-le"  # no byte order mark, but every other byte NUL: UTF-16 little-endian text
    else:
        encoding = "utf-8"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableExport(_("The file is not UTF-8 or UTF-16 text (save it as CSV UTF-8).")) from error
    if "\x00" in text:
        raise UnreadableExport(_("The file is not UTF-8 or UTF-16 text (save it as CSV UTF-8)."))
    return text


def _norm(cell: str) -> str:
    return " ".join(cell.strip().strip('"').lower().split())


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cells = [_norm(cell) for cell in header]
    for name in names:  # in order of preference: "Email" before Teams' "Participant ID (UPN)"
        if name in cells:
            return cells.index(name)
    return None


def _time_column(header: list[str], word: str) -> int | None:
    for index, cell in enumerate(_norm(c) for c in header):
        if word in cell and "duration" not in cell:
            return index
    return None


@dataclass
class _Header:
    line: int
    index: int  # the row's position among the parsed rows
    email: int
    name: int | None
    joined: int | None
    left: int | None


def _find_header(rows: list[tuple[int, list[str]]]) -> _Header | None:
    for index, (line, row) in enumerate(rows):
        email = _column(row, EMAIL_HEADERS)
        if email is None:
            continue
        name, joined = _column(row, NAME_HEADERS), _time_column(row, "join")
        if name is None and joined is None:
            continue  # Zoom's meeting summary: "User Email" is the host's
        left = _time_column(row, "leave")
        return _Header(line, index, email, name, joined, left)
    return None


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for row in reader:
            out.append((reader.line_num, row))
            if len(out) > MAX_ROWS + 50:
                raise UnreadableExport(_("At most %(n)d rows in one file.") % {"n": MAX_ROWS})
    except csv.Error as error:
        raise UnreadableExport(
            _("Line %(line)d: not CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from error
    return out


def _candidates(value: str, zone: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    text = " ".join(value.replace(",", " ").split())
    found = []
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        pass
    else:  # a year far from now is no attendance time (and near year 1 or 9999 a time zone overflows the datetime)
        return [moment if moment.tzinfo else moment.replace(tzinfo=zone)] if _plausible(moment) else []
    for pattern in _DATE_FORMATS:
        try:
            moment = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        if _plausible(moment) and moment.replace(tzinfo=zone) not in found:
            found.append(moment.replace(tzinfo=zone))
    return found


def _plausible(moment: dt.datetime) -> bool:
    return 2000 <= moment.year <= 2100


def parse_time(value: str, zone: zoneinfo.ZoneInfo, window: tuple[dt.date, dt.date]) -> dt.datetime | None:
    """``value`` as an aware time (in ``zone`` when it names none), preferring a reading within ``window``."""
    found = _candidates(value, zone)
    if not found:
        return None
    within = [m for m in found if window[0] <= m.astimezone(zone).date() <= window[1]]
    return (within or found)[0]


def parse_export(
    content: bytes, *, zone: zoneinfo.ZoneInfo, window: tuple[dt.date, dt.date], need_times: bool
) -> ParsedExport:
    """The participant rows of an export; ``errors`` lists rows that cannot be read (line numbers of the file).
    ``need_times``: a row without a readable join time is an error (the time decides the session)."""
    if len(content) > MAX_BYTES:
        raise UnreadableExport(_("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)})
    if not content.strip():
        raise UnreadableExport(_("The file is empty."))
    text = _decode(content)
    header, rows = None, []
    for delimiter in ("\t", ",", ";"):
        rows = _rows(text, delimiter)
        header = _find_header(rows)
        if header is not None:
            break
    if header is None:
        raise UnreadableExport(
            _("No participants' header found: the file needs an e-mail column and a name or join time column.")
        )
    if need_times and header.joined is None:
        raise UnreadableExport(_("The file has no join time column: choose the session the export belongs to."))
    parsed = ParsedExport(header_line=header.line)
    width = max(header.email, header.name or 0, header.joined or 0, header.left or 0)
    for line, row in rows[header.index + 1 :]:
        if not any(cell.strip() for cell in row):
            break  # the end of the participants' section (Teams: "3. In-Meeting Activities" follows)
        if len(row) == 1 and re.match(r"^\d+\.\s", row[0].strip()):
            break  # the next numbered section's title
        if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
            raise UnreadableExport(_("At most %(n)d rows in one file.") % {"n": MAX_ROWS})
        if len(row) <= width and len(row) <= header.email:
            parsed.errors.append({"line": line, "message": _("Too few columns.")})
            continue

        def cell(index, row=row):
            return row[index].strip() if index is not None and index < len(row) else ""

        email = cell(header.email).lower()
        joined_text, left_text = cell(header.joined), cell(header.left)
        joined = parse_time(joined_text, zone, window) if joined_text else None
        left = parse_time(left_text, zone, window) if left_text else None
        problems = []
        if email and not _EMAIL.match(email):
            problems.append(_("Not an e-mail address: %(value)s.") % {"value": email[:100]})
        if joined_text and joined is None:
            problems.append(_("Join time not understood: %(value)s.") % {"value": joined_text[:40]})
        if left_text and left is None:
            problems.append(_("Leave time not understood: %(value)s.") % {"value": left_text[:40]})
        if need_times and email and not joined_text:
            problems.append(_("No join time."))
        if problems:
            parsed.errors.append({"line": line, "message": " ".join(problems)})
            continue
        parsed.rows.append(ExportRow(line, email, cell(header.name)[:200], joined, left))
    return parsed
