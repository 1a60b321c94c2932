"""Two agencies record the same identifier at the same instant: their cases still meet in a hit (PostgreSQL), by
every path that writes identifiers (the form and API's case, identifiers added to a case, bulk ingest, the re-match
sweep), and matching never runs outside the recording transaction, where the lock would not hold."""

import json
import threading

import pytest
from django.db import connection

from lintas.accounts.choices import Role
from lintas.cases import ingest
from lintas.cases import services as case_services
from lintas.cases.tests.helpers import record
from lintas.cases.validation import CleanIdentifier
from lintas.matching import engine
from lintas.matching.models import Hit

WALLET = "TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP"


def _run_at_once(writers, monkeypatch):
    """Run ``writers`` in threads of their own (a connection each), every one held before its matching search
    until all have written their identifiers: the race the matching lock closes."""
    barrier = threading.Barrier(len(writers), timeout=10)
    real_plan = engine.plan_matches

    def plan_after_everyone_inserted(new, **options):
        barrier.wait()
        return real_plan(new, **options)

    monkeypatch.setattr(engine, "plan_matches", plan_after_everyone_inserted)
    monkeypatch.setattr(ingest, "plan_matches", plan_after_everyone_inserted)
    errors = []

    def run(writer):
        try:
            writer()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _skip_on_sqlite():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_writers_of_the_same_identifier_meet_in_a_hit(make_user, monkeypatch):
    _skip_on_sqlite()
    officers = [make_user(code, roles=(Role.INVESTIGATOR,)) for code in ("rtp", "spf", "knpa")]
    _run_at_once([lambda officer=officer: record(officer, [WALLET]) for officer in officers], monkeypatch)
    # Three cases of three agencies: every pair is a hit.
    pairs = {frozenset((hit.left_agency_id, hit.right_agency_id)) for hit in Hit.objects.all()}
    assert len(pairs) == 3 and Hit.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_batch_an_added_identifier_and_a_new_case_at_the_same_instant_meet(make_user, monkeypatch):
    _skip_on_sqlite()
    from lintas import identifiers

    rtp, spf, knpa = (make_user(code, roles=(Role.INVESTIGATOR,)) for code in ("rtp", "spf", "knpa"))
    case, _outcome = record(spf, ["+65 9123 4567"])  # an older case of SPF, to which the wallet is added
    line = json.dumps(
        {"title": "Bulk", "crime_type": "investment_fraud", "external_reference": "B-1", "identifiers": [WALLET]}
    ).encode()
    wallet = CleanIdentifier(identifiers.normalize(WALLET), "receiving_wallet")
    _run_at_once(
        [
            lambda: ingest.ingest_rows(rtp, ingest.read_ndjson([line])),
            lambda: case_services.add_identifiers(spf, case, [wallet]),
            lambda: record(knpa, [WALLET]),
        ],
        monkeypatch,
    )
    pairs = {frozenset((hit.left_agency_id, hit.right_agency_id)) for hit in Hit.objects.all()}
    assert len(pairs) == 3 and Hit.objects.count() == 3


@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_matching_refuses_to_run_outside_a_transaction(make_user):
    """Outside a transaction there would be nothing to hold the lock until the identifiers are committed."""
    officer = make_user("spf", roles=(Role.INVESTIGATOR,))
    case, _outcome = record(officer, [WALLET])
    new = list(case.identifiers.all())
    with pytest.raises(RuntimeError, match="transaction"):
        engine.match_new_identifiers(new)
