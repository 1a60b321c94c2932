"""The "my work" dashboard: what a signed-in officer can start from it."""

import pytest

from lintas.accounts.choices import Role

pytestmark = pytest.mark.django_db


def test_an_investigator_records_a_case_straight_from_the_dashboard(make_user, signed_in):
    page = signed_in(make_user("spf", roles=(Role.INVESTIGATOR,))).get("/").content.decode()
    assert 'href="/cases/new/"' in page and "Record a case" in page


def test_the_secretariat_records_no_cases_so_is_not_offered_to(make_user, signed_in):
    page = signed_in(make_user("aseanapol", roles=(Role.ANALYST,))).get("/").content.decode()
    assert 'href="/cases/new/"' not in page
