"""Schemathesis over the whole OpenAPI schema of ``lintas.api``, in-process, as part of ``make test``.

Every operation is driven with generated requests (the schema's examples, schemathesis' coverage cases at the
boundaries of every parameter and body field, then random valid and invalid data) sent as one of two agencies (SPF
and PNTL admins, alternately, with read-write tokens) over a world where each has a case, a hit between the two, a
draft and a sent request, a spare token and a colleague, so that path ids often name something that exists, and
something the other agency may not see. The run is derandomized from a fixed seed: the same requests each time.

Settings live in ``FUZZ`` below. Run it longer locally (a different seed finds different things)::

    LINTAS_FUZZ_EXAMPLES=300 LINTAS_FUZZ_SEED=7 pytest -q tests/test_fuzz_api.py

KNOWN_FAILURES holds what the default run (this seed, this many examples) finds and other work fixes; a longer run or
another seed finds more instances of the same classes (an offset above 2^63 on every list, a NUL in a filter on
PostgreSQL, a body over the upload limit), which then fail like new ones.

A failure lists every (operation, check) that failed with a curl command that reproduces it (``$TOKEN_SPF`` and
``$TOKEN_PNTL`` stand for the two tokens). The NDJSON bodies of ``/cases/bulk`` and ``/cases/imports`` get their own
property-based test in ``test_fuzz_ndjson.py``: schemathesis drives them only as opaque strings.
"""

import itertools
import logging
import os
import sys
import traceback
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup

from lintas.accounts import services as accounts
from lintas.accounts.choices import Role, TokenScope
from lintas.agencies.models import Agency
from lintas.api import api
from lintas.assistance.services import TRANSITIONS, draft_request, transition
from lintas.cases.tests.helpers import record

EXAMPLES = int(os.environ.get("LINTAS_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("LINTAS_FUZZ_SEED", "15"))

# Everything schemathesis is told, in one place.
# Checks: all of schemathesis' response and request checks but two:
# - positive_data_acceptance: it wants every schema-valid request answered 2xx, but Lintas' own rules (an unknown
#   country code, a role you do not hold, "give values or a text") refuse schema-valid input with 422 by design.
#   `schema_valid_input_parses` below keeps its useful half: a schema-valid request that the API's own schema check
#   (django-ninja) refuses means the published schema is wrong.
# - max_response_time (off unless given a limit): timing belongs to the benchmarks, not to a shared CI machine.
# The stateful phase is off: the schema has no OpenAPI links to chain calls with (use_after_free and
# ensure_resource_availability need them); tests/test_access_matrix.py covers who may reach what.
FUZZ = {
    "seed": SEED,
    "generation": {
        "deterministic": True,
        "max-examples": EXAMPLES,
        "database": "none",
        "mode": "all",
        # The test sends the credentials (a token of either agency); generated ones would only be overridden.
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        "positive_data_acceptance": {"enabled": False},
        # A body over the upload limit is refused with 413 before the schema is read: a rejection like 400 or 422.
        "negative_data_rejection": {
            "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
        },
    },
    "output": {"sanitization": {"enabled": False}},
    # The NDJSON bodies are opaque strings to the schema: whatever "invalid" string schemathesis sends is a body the
    # ingest must judge line by line (test_fuzz_ndjson.py does), not one the schema can reject.
    "operations": [
        {"include-path-regex": "/cases/(bulk|imports)$", "checks": {"negative_data_rejection": {"enabled": False}}}
    ],
}

# Failures that other work on issue 15 fixes (items 5-8, the `inputs` branch), keyed by (operation, check, cause,
# database): the cause is the exception behind a 500 (else ""), the database "sqlite", "postgresql" or "" for both.
# Remove an entry when its fix lands: an entry that no longer fails is reported as stale, so this list only shrinks.
KNOWN_FAILURES: dict[tuple[str, str, str, str], str] = {}


def _known(key: tuple[str, str, str]) -> tuple[str, str, str, str] | None:
    """The KNOWN_FAILURES entry for a failure on this database, if any."""
    for database in ("", connection.vendor):
        if (*key, database) in KNOWN_FAILURES:
            return (*key, database)
    return None


CONFIG = schemathesis.Config.from_dict(FUZZ)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"), config=CONFIG)
schema.app = WSGIHandler()


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@dataclass
class World:
    """What one operation's run is sent against: tokens, ids that exist, and what went wrong so far."""

    tokens: dict[str, str]
    known: dict[str, list] = field(default_factory=dict)
    turn: itertools.count = field(default_factory=itertools.count)
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)
    exception: list[str] = field(default_factory=list)


WORLD: list[World] = []  # the current operation's world, for the generation hook


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Often replace a valid generated id with one that exists (for either agency); invalid ones stay invalid."""
    known = WORLD[0].known if WORLD else {}
    names = [n for n, v in (path_parameters or {}).items() if n in known and type(v) is type(known[n][0])]
    if not names:
        return st.just(path_parameters)
    picked = st.fixed_dictionaries({n: st.sampled_from(known[n]) for n in names})
    return st.one_of(st.just(path_parameters), picked.map(lambda ids: {**path_parameters, **ids}))


def schema_valid_input_parses(ctx, response, case):
    """A request generated valid by the schema must get past the API's own schema check: else the schema lies."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    if response.json().get("detail") == "The request does not match the API schema.":
        raise AssertionError(f"Schema-valid input refused by the API's schema check: {response.text[:500]}")
    return None


def _remember_exception(sender, request=None, **kwargs):
    if WORLD:
        lines = traceback.format_exception(*sys.exc_info())
        WORLD[0].exception[:] = [type(sys.exc_info()[1]).__name__, "".join(lines[-4:])]


def _programme(participant):
    """An edition SPF hosts and runs, with a session, a material (a link) and an open survey; the SPF fuzz user a
    confirmed participant: path ids of the programme operations often name something that exists."""
    import datetime as dt

    from lintas.accounts.models import UserRole
    from lintas.programmes import services as programmes
    from lintas.programmes.models import Nomination, Programme

    organiser = participant.__class__.objects.create(agency=participant.agency, username="spf.fuzz.organiser")
    UserRole.objects.create(user=organiser, role=Role.PROGRAMME_ORGANISER)
    programme = Programme.objects.create(name="Fuzz", coordinating_agency=Agency.objects.get(code="aseanapol"))
    edition = programmes.create_edition(
        organiser, programme, host_agency=organiser.agency, title="Fuzz edition", starts_on="2027-11-15",
        ends_on="2027-11-19", time_zone="Asia/Singapore", status="running",
    )  # fmt: skip
    start = dt.datetime(2027, 11, 15, 1, 0, tzinfo=dt.UTC)
    session = programmes.add_session(
        organiser, edition, kind="lecture", topic="Fuzz", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    material = programmes.add_material(organiser, session, kind="recording", title="Rec", link="https://x.example/r")
    Nomination.objects.create(
        edition=edition, agency=participant.agency, user=participant, name="SPF fuzz", mode="online",
        status="confirmed",
    )  # fmt: skip
    programmes.update_survey(organiser, edition, introduction="Fuzz survey", is_open=True)
    return edition, session, material


@pytest.fixture
def world(make_user, settings, tmp_path):
    settings.MEDIA_ROOT, settings.IMPORTS_DIR = tmp_path / "media", tmp_path / "imports"  # attachments, import bodies
    roles = (Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.INVESTIGATOR, Role.LIAISON_OFFICER)
    spf, pntl = make_user("spf", roles=roles, username="spf.fuzz"), make_user("pntl", roles=roles, username="pntl.fuzz")
    colleague = make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.colleague")
    tokens = {
        name: accounts.create_api_token(user, name="fuzz", scope=TokenScope.READ_WRITE, days=1)[1]
        for name, user in (("TOKEN_SPF", spf), ("TOKEN_PNTL", pntl))
    }
    spare = [accounts.create_api_token(u, name="spare", scope=TokenScope.READ, days=1)[0].pk for u in (spf, pntl)]
    spf_case, _ = record(spf, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "+65 9123 4567"], title="SPF fuzz case")
    pntl_case, outcome = record(pntl, ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"], title="PNTL fuzz case")
    to_pntl, to_spf = Agency.objects.get(code="pntl"), Agency.objects.get(code="spf")
    drafts = [
        draft_request(spf, receivers=[to_pntl], type="general", subject="SPF draft", asked="?", cases=[spf_case])[0],
        draft_request(pntl, receivers=[to_spf], type="general", subject="PNTL draft", asked="?")[0],
    ]
    sent = draft_request(colleague, receivers=[to_pntl], type="general", subject="SPF sent", asked="?")[0]
    sent = transition(colleague, sent, "submit", version=sent.version)
    sent = transition(spf, sent, "approve", version=sent.version)
    edition, session, material = _programme(spf)
    open_edition, nomination = _open_programme(spf)
    current = World(tokens=tokens)
    current.known = {
        "edition_id": [edition.pk, open_edition.pk],
        "session_id": [session.pk],
        "material_id": [material.pk],
        "case_id": [spf_case.pk, pntl_case.pk],
        "hit_id": [hit.pk for hit in outcome.hits],
        "request_id": [*(r.pk for r in drafts), sent.pk],
        "action": sorted(TRANSITIONS),
        "user_id": [colleague.pk, spf.pk, pntl.pk],
        "token_id": spare,
        "code": ["spf", "pntl", "knpa"],
        "nomination_id": [nomination.pk],
    }
    # A real WSGI handler, as gunicorn runs it, inside the test's transaction: what Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(_remember_exception)
    WORLD[:] = [current]
    errors_log = logging.getLogger("django.request")
    level, errors_log.level = errors_log.level, logging.CRITICAL  # the report below shows each 500's traceback
    try:
        yield current
    finally:
        errors_log.level = level
        WORLD.clear()
        got_request_exception.disconnect(_remember_exception)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _open_programme(spf):
    """An SPF-hosted edition open for nominations, SPF's fuzz admin its organiser, with seats and a nomination."""
    from lintas.accounts.models import UserRole
    from lintas.programmes import services as programmes
    from lintas.programmes.models import Programme

    UserRole.objects.create(user=spf, role=Role.PROGRAMME_ORGANISER)
    spf.__dict__.pop("roles", None)
    programme = Programme.objects.create(
        name="Fuzz programme", coordinating_agency=Agency.objects.get(code="aseanapol")
    )
    edition = programmes.create_edition(
        spf, programme, host_agency=spf.agency, title="Fuzz edition", starts_on="2027-11-15", ends_on="2027-11-19",
        status="open_for_nominations", time_zone="Asia/Singapore",
    )  # fmt: skip
    programmes.add_session(spf, edition, kind="opening", topic="Opening", starts_at="2027-11-15T09:00",
                           ends_at="2027-11-15T10:00")  # fmt: skip
    programmes.set_seats(spf, edition, [(spf.agency, "online", 2)])
    return edition, programmes.nominate(spf, edition, mode="online", name="Fuzz nominee", email="n@spf.example")


@pytest.fixture
def strict(world, request):
    """After the operation's run: every failure not in KNOWN_FAILURES fails the test, with how to reproduce it; so
    does a known failure that no longer happens (remove it from the list)."""
    yield
    operation = request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name
    operation = operation.split("[", 1)[-1].rstrip("]")
    unexpected = {key: how for key, how in world.failures.items() if _known(key) is None}
    seen = {_known(key) for key in world.failures}
    stale = [
        key for key in KNOWN_FAILURES if key[0] == operation and key[3] in ("", connection.vendor) and key not in seen
    ]
    report = [f"{' / '.join(filter(None, key))}\n{how}" for key, how in unexpected.items()]
    report += [f"{' / '.join(filter(None, key))}: listed in KNOWN_FAILURES but no longer fails" for key in stale]
    if report:
        pytest.fail("\n\n".join(report), pytrace=False)


@pytest.mark.django_db
@pytest.mark.fuzz
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case, world, strict):
    name = ("TOKEN_SPF", "TOKEN_PNTL")[next(world.turn) % 2]
    headers = {"Authorization": f"Bearer {world.tokens[name]}"}
    world.exception.clear()
    # Each request (and those the checks send again) starts from the same world, and a database error in one does not
    # leave PostgreSQL's transaction aborted for the next, as it would not in production (one transaction a request).
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers, additional_checks=[schema_valid_input_parses])
    except FailureGroup as group:
        for failure in group.exceptions:
            check = failure.checks[0] if getattr(failure, "checks", ()) else "schema_valid_input_parses"
            cause = ""
            if response.status_code >= 500:  # one failure, whatever else it breaks (status code, content type ...)
                check, cause = "not_a_server_error", world.exception[0] if world.exception else "?"
            key = (case.operation.label, check, cause)
            if key in world.failures:
                continue
            curl = case.as_curl_command(headers=headers)
            for token_name, token in world.tokens.items():
                curl = curl.replace(token, f"${token_name}")
            world.failures[key] = (
                f"{failure.title}: {failure.message[:300]}\n{response.status_code} {response.text[:300]}\n{curl}\n"
                + (world.exception[1] if cause else "")
            )
    finally:
        transaction.set_rollback(False)  # a crash marked the test's transaction broken: the savepoint mends it
        transaction.savepoint_rollback(savepoint)
