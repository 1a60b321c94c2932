"""Two agencies record the same identifier at the same instant: their cases still meet in a hit (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from lintas.accounts.choices import Role
from lintas.cases.tests.helpers import record
from lintas.matching import engine
from lintas.matching.models import Hit


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_writers_of_the_same_identifier_meet_in_a_hit(make_user, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    officers = [make_user(code, roles=(Role.INVESTIGATOR,)) for code in ("rtp", "spf", "knpa")]
    # Every writer has inserted its identifier before any of them searches: the race the lock closes.
    barrier = threading.Barrier(len(officers), timeout=10)
    real_plan = engine.plan_matches

    def plan_after_everyone_inserted(new, **options):
        barrier.wait()
        return real_plan(new, **options)

    monkeypatch.setattr(engine, "plan_matches", plan_after_everyone_inserted)
    errors = []

    def write(officer):
        try:
            record(officer, ["TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP"])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Three cases of three agencies: every pair is a hit.
    pairs = {frozenset((hit.left_agency_id, hit.right_agency_id)) for hit in Hit.objects.all()}
    assert len(pairs) == 3 and Hit.objects.count() == 3
