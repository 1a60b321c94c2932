"""Reads of the feedback survey (decision 0041): who may answer, what they rate, and the results.

Answers are anonymous: a ``FeedbackResponse`` names no person and carries no time, its ``SessionRating`` rows have
random keys too, and nothing here orders answers by when they were given (comments and topics are listed by their
text). Results are for the edition's organisers only; speakers and experts never see answers.

:func:`feedback_summary` is the one summary the results page, the API and the post-programme report share.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Avg, Count

from lintas.core.models import can_read
from lintas.programmes.choices import NominationStatus, ParticipationMode, SessionKind
from lintas.programmes.models import Edition, FeedbackResponse, Nomination, ProgrammeSession, SessionRating, Survey

__all__ = ["RATINGS", "feedback_summary", "has_answered", "participation", "rateable_sessions", "survey_of"]

RATINGS = (1, 2, 3, 4, 5)


def survey_of(edition: Edition) -> Survey | None:
    """The edition's survey, or None when its organisers have not set one up yet."""
    return Survey.objects.filter(edition=edition).first()


def participation(user, edition: Edition) -> Nomination | None:
    """``user``'s confirmed nomination to ``edition`` (what makes them a participant who may answer), or None."""
    if not can_read(user):
        return None
    return (
        Nomination.objects.filter(edition=edition, user=user.pk, status=NominationStatus.CONFIRMED)
        .select_related("feedback_receipt")
        .first()
    )


def has_answered(nomination: Nomination) -> bool:
    return hasattr(nomination, "feedback_receipt")


def rateable_sessions(nomination: Nomination):
    """The sessions ``nomination``'s participant could attend and so may rate: all of the edition's, but site visits
    for those taking part online."""
    sessions = ProgrammeSession.objects.filter(edition=nomination.edition_id).order_by("starts_at", "pk")
    if nomination.mode == ParticipationMode.ONLINE:
        sessions = sessions.exclude(kind=SessionKind.SITE_VISIT)
    return sessions


def _average(total: float | None) -> float | None:
    return round(total, 2) if total is not None else None


def _distribution(rows) -> list[int]:
    """Counts of ratings 1 to 5 (index 0 is rating 1) from (rating, count) pairs."""
    counts = dict(rows)
    return [counts.get(rating, 0) for rating in RATINGS]


def _texts(responses, field: str) -> list[str]:
    """The non-empty answers of a free-text field, ordered by their text (never by when they were given)."""
    values = responses.exclude(**{field: ""}).values_list(field, flat=True)
    return sorted(values, key=lambda text: (text.casefold(), text))


def feedback_summary(edition: Edition) -> dict:
    """The results of ``edition``'s survey, for its organisers and the report. The caller decides who sees it.

    ::

        {"survey": {"exists": bool, "is_open": bool},
         "participants": 12,                # confirmed nominations
         "responses": 9,                    # anonymous answers
         "response_rate": 0.75,             # responses / participants (0 to 1, 4 decimals); None without participants
         "overall": {"count": 9, "average": 4.56, "distribution": [0, 0, 1, 2, 6]},   # ratings 1..5
         "sessions": [{"id", "topic", "kind", "starts_at", "count", "average", "distribution"}, ...],  # agenda order
         "most_useful": [{"id", "topic", "count"}, ...],   # sessions named at least once, most named first
         "comments": ["...", ...],          # non-empty, ordered by text
         "topics_wanted": ["...", ...],     # non-empty, ordered by text
         "languages": {"en": 4, "ko": 3, "th": 2}}          # the languages answers were given in

    ``average`` is None where nobody rated; every count is a plain int. A fixed number of queries whatever the size.
    """
    survey = survey_of(edition)
    participants = edition.nominations.filter(status=NominationStatus.CONFIRMED).count()
    responses = FeedbackResponse.objects.filter(survey__edition=edition)
    count = responses.count()
    overall_rows = responses.values_list("overall_rating").annotate(n=Count("pk")).order_by()
    overall_average = responses.aggregate(average=Avg("overall_rating"))["average"]
    ratings = SessionRating.objects.filter(response__survey__edition=edition, session__edition=edition)
    per_session: dict[int, list] = {}
    for session_id, rating, n in ratings.values_list("session", "rating").annotate(n=Count("pk")).order_by():
        per_session.setdefault(session_id, []).append((rating, n))
    averages = dict(ratings.values_list("session").annotate(a=Avg("rating")).order_by())
    sessions = list(edition.sessions.order_by("starts_at", "pk"))
    named = Counter(
        dict(responses.exclude(most_useful=None).values_list("most_useful").annotate(n=Count("pk")).order_by())
    )
    by_id = {session.pk: session for session in sessions}
    most_useful = [
        {"id": pk, "topic": by_id[pk].topic, "count": n}
        for pk, n in sorted(named.items(), key=lambda item: (-item[1], by_id[item[0]].starts_at, item[0]))
        if pk in by_id
    ]
    languages = dict(sorted(responses.values_list("language").annotate(n=Count("pk")).order_by()))
    return {
        "survey": {"exists": survey is not None, "is_open": bool(survey and survey.is_open)},
        "participants": participants,
        "responses": count,
        "response_rate": round(count / participants, 4) if participants else None,
        "overall": {"count": count, "average": _average(overall_average), "distribution": _distribution(overall_rows)},
        "sessions": [
            {
                "id": session.pk,
                "topic": session.topic,
                "kind": session.kind,
                "starts_at": session.starts_at,
                "count": sum(n for _rating, n in per_session.get(session.pk, ())),
                "average": _average(averages.get(session.pk)),
                "distribution": _distribution(per_session.get(session.pk, ())),
            }
            for session in sessions
        ],
        "most_useful": most_useful,
        "comments": _texts(responses, "comments"),
        "topics_wanted": _texts(responses, "topics_wanted"),
        "languages": {code or "": n for code, n in languages.items()},
    }
