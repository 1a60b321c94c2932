"""Helpers to record cases in tests through the real service path."""

from lintas.cases import services
from lintas.cases.validation import clean_case

__all__ = ["record"]


def record(user, identifiers, *, title="Test case", crime_type="investment_fraud", **fields):
    """Record a case for ``user``'s agency with ``identifiers`` (values or dicts), as the form and API do."""
    data = {"title": title, "crime_type": crime_type, "identifiers": identifiers, **fields}
    case, outcome = services.create_case(user, clean_case(data, owner=user.agency))
    return case, outcome
