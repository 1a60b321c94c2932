"""Reads of the programmes app that pages, the API and the report share.

The caller has already fetched the edition through ``Edition.objects.visible_to`` and decided that the viewer may
see these figures (the organisers); the functions here only count.
"""

from __future__ import annotations

from collections import defaultdict

from lintas.programmes.choices import NominationStatus, ParticipationMode
from lintas.programmes.models import Attendance, Edition

__all__ = ["attendance_summary", "rate"]


def rate(present: int, possible: int) -> float | None:
    """``present / possible`` from 0 to 1 with four decimals; None where nothing was possible."""
    return round(present / possible, 4) if possible else None


def attendance_summary(edition: Edition) -> dict:
    """Attendance of ``edition``'s confirmed participants: per session, per agency and mode, per mode and overall.

    Every confirmed participant is expected at every session. ``rate`` is present / expected (0 to 1, four decimals),
    None where nobody was expected. Three queries whatever the size::

        {"participants": 12, "sessions": [{"id", "topic", "kind", "starts_at", "expected", "present", "rate"}, ...],
         "agencies": [{"agency": "rmp", "agency_name": "RMP", "mode": "on_site", "participants": 2,
                       "present": 9, "possible": 10, "rate": 0.9}, ...],
         "modes": {"on_site": {"participants", "present", "possible", "rate"}, "online": {...}},
         "overall": {"participants", "present", "possible", "rate"}}
    """
    sessions = list(edition.sessions.order_by("starts_at", "pk").values("pk", "topic", "kind", "starts_at"))
    participants = list(
        edition.nominations.filter(status=NominationStatus.CONFIRMED)
        .order_by("agency__code", "mode", "pk")
        .values_list("pk", "agency__code", "agency__short_name", "mode")
    )
    present = set(
        Attendance.objects.filter(
            session__edition=edition, present=True, nomination__status=NominationStatus.CONFIRMED
        ).values_list("nomination_id", "session_id")
    )
    per_session = defaultdict(int)
    per_nomination = defaultdict(int)
    for nomination_id, session_id in present:
        per_session[session_id] += 1
        per_nomination[nomination_id] += 1
    n_sessions, n_people = len(sessions), len(participants)
    groups: dict[tuple[str, str], dict] = {}
    modes = {mode: {"participants": 0, "present": 0} for mode in ParticipationMode.values}
    for pk, code, short_name, mode in participants:
        group = groups.setdefault(
            (code, mode), {"agency": code, "agency_name": short_name, "mode": mode, "participants": 0, "present": 0}
        )
        group["participants"] += 1
        group["present"] += per_nomination[pk]
        modes[mode]["participants"] += 1
        modes[mode]["present"] += per_nomination[pk]
    for group in [*groups.values(), *modes.values()]:
        group["possible"] = group["participants"] * n_sessions
        group["rate"] = rate(group["present"], group["possible"])
    total_present = sum(per_nomination[pk] for pk, *_rest in participants)
    return {
        "participants": n_people,
        "sessions": [
            {
                "id": s["pk"],
                "topic": s["topic"],
                "kind": s["kind"],
                "starts_at": s["starts_at"],
                "expected": n_people,
                "present": per_session[s["pk"]],
                "rate": rate(per_session[s["pk"]], n_people),
            }
            for s in sessions
        ],
        "agencies": list(groups.values()),
        "modes": modes,
        "overall": {
            "participants": n_people,
            "present": total_present,
            "possible": n_people * n_sessions,
            "rate": rate(total_present, n_people * n_sessions),
        },
    }
