"""The NDJSON endpoints (``POST /api/v1/cases/bulk`` and ``POST /api/v1/cases/imports``) under random bodies.

Schemathesis sees their bodies as opaque strings (tests/test_fuzz_api.py), so this property-based test writes the
lines itself: valid cases among broken JSON, wrong types, huge numbers, NUL bytes, lone surrogates, invalid UTF-8,
JSON that is not an object and blank lines. Whatever the body: never a 5xx, a report whose counts add up, and nothing
written from a refused batch (every body here is one batch). Derandomized like the schemathesis run; more examples
with ``LINTAS_FUZZ_EXAMPLES``.
"""

import contextlib
import itertools
import json
import logging
import os
import sys

import pytest
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.models import BulkImport, Case

pytestmark = pytest.mark.django_db

EXAMPLES = max(10, int(os.environ.get("LINTAS_FUZZ_EXAMPLES", "25")))
SEED = int(os.environ.get("LINTAS_FUZZ_SEED", "15"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def FUZZ(test):
    """The settings, the seed (so the examples do not change with the test's source) and the known crashes (below)
    as explicit examples, so that each is tried on every run until its fix lands."""
    for line in KNOWN_LINES.values():
        test = example(payload=(line, 1))(test)
    return SETTINGS(seed(SEED)(test))


RUN = itertools.count()  # each example's external references are its own: the database is not reset in between

odd_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202e", "💸" * 3, "x" * 600]),
)
huge = st.one_of(st.sampled_from([2**63, -(2**63) - 1, 10**30, 1e308, -0.0]), st.integers(), st.floats(allow_nan=False))
anything = st.recursive(
    st.none() | st.booleans() | huge | odd_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=6,
)
identifier = st.one_of(
    st.sampled_from(
        ["+65 9123 4567", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "scam.example.com", "DE89370400440532013000"]
    ),
    st.fixed_dictionaries({"value": odd_text}, optional={"type": odd_text, "role": odd_text}),
    anything,
)
FIELDS = ["title", "crime_type", "narrative", "victim_count", "first_incident_on", "countries", "losses", "tlp"]


@st.composite
def case_line(draw, reference: str) -> bytes:
    """A case as ``POST /cases/`` takes it, perhaps with fields swapped for odd values."""
    row = {
        "title": "Fuzz case",
        "crime_type": "romance_fraud",
        "external_reference": reference,
        "identifiers": draw(st.lists(identifier, max_size=3)),
    }
    for name in draw(st.lists(st.sampled_from([*FIELDS, "external_reference", "identifiers"]), max_size=2)):
        row[name] = draw(anything)
    text = json.dumps(row, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


@st.composite
def body(draw) -> tuple[bytes, int]:
    """An NDJSON body and how many non-blank lines it has."""
    run = next(RUN)
    lines = []
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["case", "case", "case", "broken", "not-object", "blank", "bytes"]))
        if kind == "case":
            lines.append(draw(case_line(f"FUZZ-{run}-{n}")))
        elif kind == "broken":
            lines.append(draw(st.sampled_from([b"{", b'{"title": "x",}', b"nul\x00", b'{"a": 1e999999}', b"[1"])))
        elif kind == "not-object":
            lines.append(json.dumps(draw(anything)).encode())
        elif kind == "blank":
            lines.append(draw(st.sampled_from([b"", b"   ", b"\t", b"\r"])))
        else:
            lines.append(draw(st.binary(max_size=40)).replace(b"\n", b""))
    crlf = draw(st.booleans())
    data = (b"\r\n" if crlf else b"\n").join(lines) or b"\n"  # Django's test client sends no media type without a body
    return data, sum(1 for line in lines if line.strip())


# Crashes that other work on issue 15 fixes (items 6-7, the `inputs` branch): (endpoint, exception, database) -> why,
# the database "sqlite", "postgresql" or "" for both. An entry that no longer happens fails the test as stale:
# remove it when its fix lands.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}
_CASE = '{"title": "Known", "crime_type": "romance_fraud", "external_reference": "KNOWN-%s", "identifiers": [], %s}'
KNOWN_LINES = {  # one line that shows each crash above (and the ones found by hand, item 6)
    "wrong type": (_CASE % ("type", '"losses": 5')).encode(),
    "lone surrogate": (_CASE % ("surrogate", '"narrative": "\\ud800"')).encode(),
    "above 2^63": (_CASE % ("huge", '"victim_count": 100000000000000000000')).encode(),
}


@pytest.fixture
def officer(make_user, settings, tmp_path):
    settings.IMPORTS_DIR = tmp_path  # the stored bodies of imports a crash left queued
    user = make_user("rtp", roles=(Role.INVESTIGATOR,), username="rtp.ndjson")
    _, secret = accounts.create_api_token(user, name="ndjson", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def crashes():
    """Exceptions behind 500s, by class name, as the handler saw them."""
    seen: list[str] = []

    def remember(sender, request=None, **kwargs):
        seen.append(type(sys.exc_info()[1]).__name__)

    got_request_exception.connect(remember)
    errors_log = logging.getLogger("django.request")
    level, errors_log.level = errors_log.level, logging.CRITICAL
    yield seen
    errors_log.level = level
    got_request_exception.disconnect(remember)


@contextlib.contextmanager
def _own_transaction():
    """Each example in a savepoint rolled back afterwards: a crash that aborts PostgreSQL's transaction does not
    break the next example, as it would not break the next request in production."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.set_rollback(False)  # a crash marked the test's transaction broken: the savepoint mends it
        transaction.savepoint_rollback(savepoint)


def _check_report(report: dict, lines: int) -> None:
    assert report["received"] == report["created"] + report["unchanged"] + report["rejected"], report
    assert report["invalid"] <= report["rejected"] and report["error_count"] >= report["invalid"], report
    assert report["received"] <= lines, report  # blank lines are not received
    if report["rejected"]:
        assert report["created"] == 0 and report["batches_refused"] >= 1 and report["errors"], report


def _known(endpoint: str, exception: str, found: set) -> bool:
    for database in ("", connection.vendor):
        if (endpoint, exception, database) in KNOWN_FAILURES:
            found.add((endpoint, exception, database))
            return True
    return False


def _no_stale_entries(endpoint: str, found: set) -> None:
    stale = [
        key for key in KNOWN_FAILURES if key[0] == endpoint and key[2] in ("", connection.vendor) and key not in found
    ]
    assert not stale, f"listed in KNOWN_FAILURES but no longer failing (remove them): {stale}"


def test_bulk_never_fails_and_writes_nothing_from_a_refused_batch(officer, crashes):
    found: set = set()

    @FUZZ
    @given(payload=body())
    def post(payload):
        with _own_transaction():
            _post(payload)

    def _post(payload):
        data, lines = payload
        cases_before = Case.objects.count()
        ingested_before = AuditEvent.objects.filter(action=Action.CASES_INGESTED).count()
        crashes.clear()
        response = Client(raise_request_exception=False).post(
            "/api/v1/cases/bulk", data=data, content_type="application/x-ndjson", **officer
        )
        if response.status_code == 500 and crashes and _known("bulk", crashes[0], found):
            return
        assert response.status_code in (200, 422), (response.status_code, crashes, response.content[:300], data)
        report = response.json()
        _check_report(report, lines)
        assert Case.objects.count() == cases_before + report["created"]
        if response.status_code == 422:  # the batch was refused: no case, no audit event of a write
            assert report["rejected"] >= 1 and Case.objects.count() == cases_before
            assert AuditEvent.objects.filter(action=Action.CASES_INGESTED).count() == ingested_before
        else:
            assert report["rejected"] == 0 and report["errors"] == []

    post()
    _no_stale_entries("bulk", found)


def test_import_never_fails_and_its_job_reports_what_it_did(officer, django_capture_on_commit_callbacks):
    found: set = set()

    @FUZZ
    @given(payload=body())
    def post(payload):
        with _own_transaction():
            _post(payload)

    def _post(payload):
        data, lines = payload
        cases_before = Case.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post("/api/v1/cases/imports", data=data, content_type="application/x-ndjson", **officer)
        assert response.status_code == 202, (response.status_code, response.content[:500], data)
        job = BulkImport.objects.get(pk=response.json()["id"])
        if job.error and _known("imports", job.error.split(":", 1)[0], found):  # failed, or queued for a retry
            return
        assert job.status == BulkImport.Status.DONE and not job.error, (job.status, job.error, data)
        _check_report(job.report, lines)
        assert Case.objects.count() == cases_before + job.report["created"]

    post()
    _no_stale_entries("imports", found)


def test_a_report_quoting_a_nul_or_a_lone_surrogate_is_stored(officer, django_capture_on_commit_callbacks):
    """Found by the test above on PostgreSQL: an error message quoting the refused value put a NUL in the report, which
    jsonb cannot hold, so the import job crashed while saving its progress (and was retried, then failed)."""
    from lintas.cases.ingest import IngestReport, RowError

    report = IngestReport()
    report.add_errors([RowError(1, "identifiers[0]\x00", "Not a phone number: \x00\ud800 (+65 \U0001f4b8)")])
    assert report.as_dict()["errors"] == [
        {"line": 1, "field": "identifiers[0]\ufffd", "message": "Not a phone number: \ufffd\ufffd (+65 \U0001f4b8)"}
    ]
    line = {"title": "NUL", "crime_type": "romance_fraud", "external_reference": "NUL-1", "identifiers": ["\x00+65"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/cases/imports", data=json.dumps(line), content_type="application/x-ndjson", **officer
        )
    job = BulkImport.objects.get(pk=response.json()["id"])
    assert (job.status, job.error, job.report["rejected"]) == (BulkImport.Status.DONE, "", 1), job.error
    assert "\x00" not in json.dumps(job.report, ensure_ascii=False)
