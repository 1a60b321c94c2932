"""The post-programme report, read from what Lintas recorded: who took part (agencies, on site and online), the
sessions and their experts, attendance rates, feedback results; and the public summary the Secretariat may publish.

Selectors only (no writes, no audit: the views and the API audit the reads). Every function takes an ``Edition`` the
caller has already fetched through ``Edition.objects.visible_to`` and checked the viewer may read the report of
(``may_read_report``). Return values are plain dicts and lists of numbers and strings, documented per function, so
the page, the PDF, the API and the demo share them (decision 0042).

Only confirmed nominations are participants. Feedback is read only as counts and averages: a response names nobody,
and no function here returns the free-text comments (the feedback pages show those to the organisers).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lintas.programmes.choices import NominationStatus, ParticipationMode
from lintas.programmes.feedback import RATINGS, feedback_summary
from lintas.programmes.models import Attendance, Certificate, Edition, EditionReport, SessionRole
from lintas.programmes.selectors import attendance_summary, rate

__all__ = [
    "PUBLIC_PARTS",
    "attendance_rates",
    "feedback_results",
    "may_read_report",
    "participants",
    "public_summary",
    "report_context",
    "sessions_attended",
    "summary_text",
]

# What the organisers may tick for the public summary (EditionReport.public_parts). The edition's title, dates and
# host are always in it: they are on the programme's public announcements anyway. Nothing else is ever shown.
PUBLIC_PARTS = {
    "theme": _("Theme"),
    "agencies": _("Participating agencies (on site and online)"),
    "experts": _("Experts' names and organisations"),
    "sessions": _("Sessions"),
    "reception": _("Reception"),
    "counts": _("Counts (participants, agencies, sessions)"),
    "next_edition": _("Next edition (the plan)"),
}


def may_read_report(user, edition: Edition) -> bool:
    """The report is for the edition's organisers and every user of its host and of its programme's coordinating
    agency (they commissioned it); participants get their certificate and the public summary (decision 0042)."""
    if edition.organised_by(user):
        return True
    return user.is_authenticated and user.agency_id in (
        edition.host_agency_id,
        edition.programme.coordinating_agency_id,
    )


def participants(edition: Edition):
    """The edition's participants: its confirmed nominations, with their agency."""
    return edition.nominations.filter(status=NominationStatus.CONFIRMED).select_related("agency")


def sessions_attended(edition: Edition) -> dict[int, int]:
    """Nomination id -> number of the edition's sessions that participant attended (present)."""
    rows = (
        Attendance.objects.filter(session__edition=edition, present=True, nomination__edition=edition)
        .values("nomination")
        .annotate(n=Count("session", distinct=True))
    )
    return {row["nomination"]: row["n"] for row in rows}


def attendance_rates(edition: Edition) -> dict:
    """The report's view of :func:`lintas.programmes.selectors.attendance_summary` (the one attendance computation):
    the same counts and rates (0 to 1; None when there is nothing to divide by), with agencies' on-site and online
    groups taken together.

    Returns ``{"participants": int, "sessions_count": int, "present": int, "possible": int, "rate": float|None,
    "sessions": [{"id", "topic", "kind", "starts_at", "present", "rate"}],
    "agencies": [{"code", "short_name", "participants", "present", "possible", "rate"}]}``; ``possible`` is
    participants times sessions. Sessions are in agenda order, agencies by code.
    """
    summary = attendance_summary(edition)
    agencies: dict[str, dict] = {}
    for group in summary["agencies"]:  # one group per agency and mode, ordered by agency code
        row = agencies.setdefault(
            group["agency"],
            {"code": group["agency"], "short_name": group["agency_name"], "participants": 0, "present": 0,
             "possible": 0},
        )  # fmt: skip
        for key in ("participants", "present", "possible"):
            row[key] += group[key]
    for row in agencies.values():
        row["rate"] = rate(row["present"], row["possible"])
    overall = summary["overall"]
    return {
        "participants": overall["participants"],
        "sessions_count": len(summary["sessions"]),
        "present": overall["present"],
        "possible": overall["possible"],
        "rate": overall["rate"],
        "sessions": [
            {key: s[key] for key in ("id", "topic", "kind", "starts_at", "present", "rate")}
            for s in summary["sessions"]
        ],
        "agencies": list(agencies.values()),
    }


def feedback_results(edition: Edition) -> dict:
    """The report's view of :func:`lintas.programmes.feedback.feedback_summary` (the one feedback computation):
    counts and averages (ratings 1 to 5), never the free-text comments.

    Returns ``{"responses": int, "participants": int, "response_rate": float|None, "overall_average": float|None,
    "overall_distribution": {1: int, ..., 5: int}, "sessions": [{"id", "topic", "ratings", "average"}],
    "most_useful": [{"id", "topic", "votes"}] (most votes first, sessions with none left out),
    "topics_wanted": [str] (non-empty answers, ordered by their text)}``.
    """
    summary = feedback_summary(edition)
    return {
        "responses": summary["responses"],
        "participants": summary["participants"],
        "response_rate": summary["response_rate"],
        "overall_average": summary["overall"]["average"],
        "overall_distribution": dict(zip(RATINGS, summary["overall"]["distribution"], strict=True)),
        "sessions": [
            {"id": s["id"], "topic": s["topic"], "ratings": s["count"], "average": s["average"]}
            for s in summary["sessions"]
        ],
        "most_useful": [{"id": m["id"], "topic": m["topic"], "votes": m["count"]} for m in summary["most_useful"]],
        "topics_wanted": summary["topics_wanted"],
    }


def _agencies(edition: Edition) -> list[dict]:
    """Participating agencies: ``[{"code", "short_name", "name", "country", "on_site": int, "online": int}]``."""
    rows = (
        participants(edition)
        .values("agency__code", "agency__short_name", "agency__name", "agency__country")
        .annotate(
            on_site=Count("pk", filter=Q(mode=ParticipationMode.ON_SITE)),
            online=Count("pk", filter=Q(mode=ParticipationMode.ONLINE)),
        )
        .order_by("agency__code")
    )
    return [
        {
            "code": r["agency__code"],
            "short_name": r["agency__short_name"],
            "name": r["agency__name"],
            "country": r["agency__country"],
            "on_site": r["on_site"],
            "online": r["online"],
        }
        for r in rows
    ]


def _sessions_and_experts(edition: Edition) -> tuple[list[dict], list[dict]]:
    sessions = []
    experts: dict[int, dict] = {}
    roles = SessionRole.objects.filter(session__edition=edition).select_related("expert").order_by("pk")
    by_session: dict[int, list] = defaultdict(list)
    for role in roles:
        by_session[role.session_id].append(role)
    for s in edition.sessions.all():
        people = [
            {
                "name": r.expert.name,
                "title": r.expert.title,
                "organisation": r.expert.organisation,
                "role": r.role,
                "role_label": str(r.get_role_display()),
            }
            for r in by_session[s.pk]
        ]
        sessions.append(
            {
                "id": s.pk,
                "kind": s.kind,
                "kind_label": str(s.get_kind_display()),
                "topic": s.topic,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "online": s.online,
                "experts": people,
            }
        )
        for r in by_session[s.pk]:
            experts.setdefault(
                r.expert_id, {"name": r.expert.name, "title": r.expert.title, "organisation": r.expert.organisation}
            )
    return sessions, sorted(experts.values(), key=lambda e: e["name"])


def report_context(edition: Edition) -> dict:
    """Everything the report shows, computed once.

    Returns ``{"edition": Edition, "report": EditionReport (unsaved and empty when none exists),
    "agencies": [see _agencies], "sessions": [{"id", "kind", "kind_label", "topic", "starts_at", "ends_at", "online",
    "experts": [{"name", "title", "organisation", "role", "role_label"}]}], "experts": [{"name", "title",
    "organisation"}], "counts": {"participants", "on_site", "online", "agencies", "sessions", "experts"},
    "attendance": attendance_rates(), "feedback": feedback_results(), "certificates": {"issued", "revoked"}}``.
    """
    agencies = _agencies(edition)
    sessions, experts = _sessions_and_experts(edition)
    report = EditionReport.objects.filter(edition=edition).first() or EditionReport(edition=edition)
    certificates = Certificate.objects.filter(nomination__edition=edition).aggregate(
        issued=Count("pk"), revoked=Count("pk", filter=Q(revoked_at__isnull=False))
    )
    return {
        "edition": edition,
        "report": report,
        "agencies": agencies,
        "sessions": sessions,
        "experts": experts,
        "counts": {
            "participants": sum(a["on_site"] + a["online"] for a in agencies),
            "on_site": sum(a["on_site"] for a in agencies),
            "online": sum(a["online"] for a in agencies),
            "agencies": len(agencies),
            "sessions": len(sessions),
            "experts": len(experts),
        },
        "attendance": attendance_rates(edition),
        "feedback": feedback_results(edition),
        "certificates": certificates,
    }


def public_summary(edition: Edition, report: EditionReport) -> dict:
    """The public summary: the edition's title, dates, host and venue, plus only the parts the organisers ticked.

    Returns ``{"title", "programme", "number", "starts_on", "ends_on", "host", "venue", "parts": [keys shown],
    "theme"?, "agencies"? {"on_site": [names], "online": [names]}, "experts"? [{"name", "title", "organisation"}],
    "sessions"? [{"kind_label", "topic", "day"}], "reception"?, "counts"? {"participants", "agencies", "sessions"},
    "next_edition"?}``; a key marked ``?`` is present only when ticked. No participant is ever named.
    """
    parts = [key for key in PUBLIC_PARTS if key in (report.public_parts or [])]
    out = {
        "title": edition.title,
        "programme": edition.programme.name,
        "number": edition.number,
        "starts_on": edition.starts_on,
        "ends_on": edition.ends_on,
        "host": edition.host_agency.name,
        "venue": edition.venue,
        "parts": parts,
    }
    if "theme" in parts:
        out["theme"] = edition.theme
    if "agencies" in parts or "counts" in parts:
        agencies = _agencies(edition)
        if "agencies" in parts:
            out["agencies"] = {
                "on_site": [a["name"] for a in agencies if a["on_site"]],
                "online": [a["name"] for a in agencies if a["online"]],
            }
        if "counts" in parts:
            out["counts"] = {
                "participants": sum(a["on_site"] + a["online"] for a in agencies),
                "agencies": len(agencies),
                "sessions": edition.sessions.count(),
            }
    if "experts" in parts or "sessions" in parts:
        sessions, experts = _sessions_and_experts(edition)
        if "experts" in parts:
            out["experts"] = experts
        if "sessions" in parts:
            out["sessions"] = [{"kind_label": s["kind_label"], "topic": s["topic"]} for s in sessions]
    if "reception" in parts:
        out["reception"] = report.reception
    if "next_edition" in parts:
        out["next_edition"] = report.next_edition_plan
    return out


def _dates(starts_on, ends_on) -> str:
    """``15-19 November 2021``, or both dates in full when the months differ (month names in the active language)."""
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{dateformat.format(starts_on, 'j')}-{dateformat.format(ends_on, 'j F Y')}"
    return f"{dateformat.format(starts_on, 'j F Y')} - {dateformat.format(ends_on, 'j F Y')}"


def _hosted(host: str, venue: str) -> str:
    text = gettext("hosted by %(host)s") % {"host": host}
    return text + (f" ({venue})" if venue and venue != host else "")


def summary_text(summary: dict) -> str:
    """The public summary as plain text, ready to paste into a news item (the "copy as text" block)."""
    lines = [summary["title"]]
    lines.append(f"{_dates(summary['starts_on'], summary['ends_on'])}, " + _hosted(summary["host"], summary["venue"]))
    if summary.get("theme"):
        lines.append(gettext("Theme: %(theme)s") % {"theme": summary["theme"]})
    if "agencies" in summary:
        if summary["agencies"]["on_site"]:
            lines.append(gettext("On site: %(names)s") % {"names": ", ".join(summary["agencies"]["on_site"])})
        if summary["agencies"]["online"]:
            lines.append(gettext("Online: %(names)s") % {"names": ", ".join(summary["agencies"]["online"])})
    if "counts" in summary:
        lines.append(
            gettext("%(participants)d participants from %(agencies)d agencies, %(sessions)d sessions.")
            % summary["counts"]
        )
    if summary.get("experts"):
        names = "; ".join(
            " ".join(part for part in (e["title"], e["name"]) if part)
            + (f" ({e['organisation']})" if e["organisation"] else "")
            for e in summary["experts"]
        )
        lines.append(gettext("Experts: %(names)s") % {"names": names})
    if summary.get("sessions"):
        lines.append(gettext("Sessions:"))
        lines.extend(f"- {s['kind_label']}: {s['topic']}" for s in summary["sessions"])
    if summary.get("reception"):
        lines.append(summary["reception"])
    if summary.get("next_edition"):
        lines.append(summary["next_edition"])
    return "\n".join(lines)
