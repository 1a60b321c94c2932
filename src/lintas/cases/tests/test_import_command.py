"""``lintas generate`` and ``lintas import cases``: realistic files, ground truth, the report and the exit code."""

import io
import json
import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from lintas import identifiers
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.cases.generator import MEMBERS, generate
from lintas.cases.models import Case
from lintas.matching.models import Hit

pytestmark = pytest.mark.django_db


def test_generate_is_deterministic_realistic_and_valid(tmp_path):
    paths = []
    for name in ("a", "b"):
        out, truth = tmp_path / f"{name}.ndjson", tmp_path / f"{name}.json"
        options = ["--agencies", "knpa,cnp,rtp,pntl,interpol", "--hot", "0", "--seed", "9", "--overlap", "0.2"]
        call_command("generate", "--cases", "120", *options, "--out", out, "--truth", truth, stderr=io.StringIO())
        paths.append((out, truth))
    assert paths[0][0].read_bytes() == paths[1][0].read_bytes()
    assert paths[0][1].read_text() == paths[1][1].read_text()
    rows = [json.loads(line) for line in paths[0][0].read_text().splitlines()]
    truth = json.loads(paths[0][1].read_text())
    assert len(rows) == truth["cases"] == 120
    assert len({(r["agency"], r["external_reference"]) for r in rows}) == 120
    assert {r["agency"] for r in rows} <= {"knpa", "cnp", "rtp", "pntl", "interpol"}
    kinds = Counter()
    for r in rows:
        country = MEMBERS[r["agency"]].country or None
        for item in r["identifiers"]:
            result = identifiers.normalize(item["value"], item["type"], country)
            assert result.valid, (item, result.errors)
            kinds[str(result.type)] += 1
            if result.type == "bank_account" and result.country == "TL":
                assert result.details["iban"]  # Timor-Leste accounts are IBANs
    assert {"phone", "bank_account", "crypto_wallet"} <= set(kinds)
    assert sum(kinds.values()) == truth["identifiers"]
    assert truth["expected_hits"] > 0 and all(len(s["agencies"]) >= 1 for s in truth["shared"])
    assert any(r.get("narrative") for r in rows) and any(
        loss["currency"] == "KRW" for r in rows for loss in r["losses"]
    )


def test_generate_refuses_unknown_agencies_and_too_few_cases_for_hot_values():
    with pytest.raises(ValueError, match="nobody"):
        generate(io.StringIO(), cases=10, agencies=["knpa", "nobody"], hot=0)
    with pytest.raises(ValueError, match="hot"):
        generate(io.StringIO(), cases=30, hot=2, hot_cap=50)


def test_import_cases_reports_and_is_audited_as_the_cli(tmp_path, settings):
    settings.MATCHING_HOT_CASE_CAP = 5
    path = tmp_path / "cases.ndjson"
    with path.open("w") as out:
        truth = generate(out, cases=80, agencies=["knpa", "cnp"], overlap=0.2, hot=1, seed=2, hot_cap=5)
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import", "cases", str(path), "--batch-size", "20", stdout=stdout, stderr=stderr)
    report = json.loads(stdout.getvalue())
    assert (report["created"], report["rejected"], report["batches_written"]) == (80, 0, 4)
    assert report["hits"] == truth["expected_hits"] == Hit.objects.count()
    assert "80 rows, 80 new" in stderr.getvalue()
    events = AuditEvent.objects.filter(action=Action.CASES_INGESTED)
    assert events.exists() and {(e.request_id, e.actor_username, e.actor_id) for e in events} == {
        ("cli:import", "cli", None)
    }
    assert {e.agency.code for e in events} == {"knpa", "cnp"}
    # once more: nothing changes
    stdout = io.StringIO()
    call_command("import", "cases", str(path), "--quiet", stdout=stdout)
    assert json.loads(stdout.getvalue())["unchanged"] == 80 and Case.objects.count() == 80


def test_import_cases_uses_the_default_agency_and_exits_1_on_rejected_rows(tmp_path):
    path = tmp_path / "cases.ndjson"
    rows = [
        {"title": "a", "crime_type": "bec", "external_reference": "1", "identifiers": ["+82 10-2000-0000"]},
        {"title": "b", "crime_type": "bec", "external_reference": "2", "agency": "pntl"},
        {"title": "", "crime_type": "bec", "external_reference": "3"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    stdout = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import", "cases", str(path), "--agency", "KNPA", "--batch-size", "2", "--quiet", stdout=stdout)
    assert refused.value.returncode == 1
    report = json.loads(stdout.getvalue())
    assert report["errors"] == [{"line": 3, "field": "title", "message": "This field is required."}]
    assert dict(Case.objects.values_list("external_reference", "owner_agency__code")) == {"1": "knpa", "2": "pntl"}
    with pytest.raises(CommandError, match="Unknown agency"):
        call_command("import", "cases", str(path), "--agency", "nobody")


def test_the_import_command_runs_from_the_lintas_command_line(tmp_path):
    """``import`` is a keyword, not a problem for Django's command loader: check it as a user runs it."""
    path = tmp_path / "one.ndjson"
    path.write_text(json.dumps({"title": "x", "crime_type": "bec", "external_reference": "1"}) + "\n")
    env = {"LINTAS_ENV": "development", "LINTAS_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "lintas"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [*run, "import", "cases", str(path), "--agency", "spf"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 1
    assert Agency.objects.filter(code="spf").exists()


def test_the_import_command_validates_on_every_core_unless_told_or_inside_a_transaction(monkeypatch):
    """Validation is most of an import's work: by default one worker process per core (at most 4), none on one core
    or inside a transaction (the workers need the connection closed before they fork); --workers decides otherwise."""
    import importlib

    from django.db import connections

    command = importlib.import_module("lintas.cases.management.commands.import")
    assert command._workers(3) == 3 and command._workers(0) == 0
    assert connections["default"].in_atomic_block and command._workers(None) == 0  # this test's transaction
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)  # as the command line runs it
    for cores, workers in ((1, 0), (2, 2), (16, 4)):
        monkeypatch.setattr(command.os, "cpu_count", lambda cores=cores: cores)
        assert command._workers(None) == workers
    monkeypatch.undo()
    with pytest.raises(CommandError, match="0 or more"):
        call_command("import", "cases", "-", "--workers", "-1")
