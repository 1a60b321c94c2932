import datetime as dt

import pytest

from lintas.programmes import ical


def test_text_is_escaped_as_rfc_5545_says():
    assert ical.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_lines_fold_at_75_octets_never_inside_a_character():
    line = "SUMMARY:" + "한국" * 60  # three octets a character
    folded = ical.fold(line)
    assert folded.endswith("\r\n")
    pieces = folded[:-2].split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join([pieces[0]] + [piece[1:] for piece in pieces[1:]]) == line
    assert ical.fold("SHORT") == "SHORT\r\n"


def test_times_are_utc_with_z_and_naive_times_are_refused():
    seoul = dt.timezone(dt.timedelta(hours=9))
    assert ical.format_utc(dt.datetime(2021, 11, 15, 9, 30, tzinfo=seoul)) == "20211115T003000Z"
    with pytest.raises(ValueError):
        ical.format_utc(dt.datetime(2021, 11, 15, 9, 30))


def test_a_calendar_has_one_vevent_per_event_and_crlf_lines():
    start = dt.datetime(2021, 11, 15, 0, 30, tzinfo=dt.UTC)
    events = [
        {"uid": f"s-{n}", "start": start, "end": start + dt.timedelta(hours=1), "summary": f"Talk {n}, part; one"}
        for n in range(3)
    ]
    text = ical.calendar("Edition, 1st", events, stamp=start)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 3 and "\n" not in text.replace("\r\n", "")
    assert "SUMMARY:Talk 0\\, part\\; one\r\n" in text and "X-WR-CALNAME:Edition\\, 1st\r\n" in text
    assert "DTSTART:20211115T003000Z\r\n" in text and "UID:s-0@lintas\r\n" in text
