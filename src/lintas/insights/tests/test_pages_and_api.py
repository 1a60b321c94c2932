"""The trends page, CSV, briefing (page and PDF) and API: the viewer's own figures, suppressed community cells,
filters, audit events; with several agencies' data present."""

import csv
import io

import pytest
from django.utils import timezone

from lintas.accounts import services as accounts
from lintas.accounts.choices import TokenScope
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.insights.selectors import add_months
from lintas.insights.services import refresh_rollups
from lintas.insights.tests.helpers import case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """This month: RMP 4 and RTP 3 BEC cases (7 from 2 agencies: shown to SPF), SPF's own 2 job scams and RMP's 1
    (suppressed), KNPA's 30 romance frauds (one agency: suppressed). In the previous period: 2 BEC cases of RMP."""
    month = timezone.now().date()
    last = add_months(month.replace(day=1), -13)  # the previous period
    this = (month.year, month.month)
    for _ in range(4):
        case("rmp", crime="bec", month=this, victims=2, countries=["MY"], loss="100", modus=["Fake invoice"])
    for _ in range(3):
        case("rtp", crime="bec", month=this, victims=1, countries=["TH"], loss="50", modus=["fake invoice"])
    for _ in range(2):
        case("spf", crime="job_scam", month=this, victims=9, countries=["SG"], loss="1234", modus=["spf-secret-tag"])
    case("rmp", crime="job_scam", month=this, victims=1, countries=["MY"], modus=["rmp-secret-tag"])
    for _ in range(30):
        case("knpa", crime="romance_fraud", month=this, countries=["KR"])
    for _ in range(2):
        case("rmp", crime="bec", month=(last.year, last.month), countries=["MY"])
    refresh_rollups(fast=False)


def _table(body: str, name: str) -> list[dict]:
    return [r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))) if r["table"] == name]


def test_page_shows_own_figures_and_suppresses_small_community_cells(world, make_user, signed_in):
    user = make_user("spf")
    response = signed_in(user).get("/insights/trends/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Business e-mail compromise" in body and "fewer than 5" in body
    assert "rmp-secret-tag" not in body  # a free-text tag only others used, suppressed: not even listed
    assert "spf-secret-tag" in body  # the viewer's own tag is
    assert 'id="table-by_type"' in body and "chart-by_month-count" in body
    event = AuditEvent.objects.filter(action=Action.TRENDS_VIEWED, actor=user).latest("id")
    assert event.details["filters"]["end"] == f"{timezone.now():%Y-%m}"


def test_csv_has_the_figures_and_never_a_suppressed_number(world, make_user, signed_in):
    user = make_user("spf")
    response = signed_in(user).get("/insights/trends/export.csv?table=by_type")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {(r["key"], r["measure"]): r for r in _table(response.content.decode(), "by_type")}
    assert rows[("bec", "count")]["community"] == "7" and rows[("bec", "count")]["suppressed"] == "0"
    assert rows[("bec", "loss_usd")]["community"] == "550.00"
    assert (rows[("job_scam", "count")]["yours"], rows[("job_scam", "count")]["community"]) == ("2", "")
    assert rows[("romance_fraud", "count")]["community"] == ""  # 30 cases, but all KNPA's
    assert rows[("romance_fraud", "count")]["suppressed"] == "1"
    # Totals: bec 7 shown, job scam and romance fraud hidden; the total would give their sum (31) away? It passes
    # the rule itself, and what it gives is a sum over two hidden cells of two agencies.
    event = AuditEvent.objects.filter(action=Action.TRENDS_EXPORTED, actor=user).latest("id")
    assert event.details == {"format": "csv", "filters": event.details["filters"], "tables": ["by_type"]}


def test_a_total_does_not_give_a_hidden_cell_away(world, make_user, signed_in):
    """For KNPA the job scams (3 cases besides its own) are hidden; the total (40) is shown, and KNPA knows its own
    30 romance frauds: with BEC's 7 shown, 40 - 30 - 7 would give the job scams away, so BEC is hidden too."""
    body = signed_in(make_user("knpa")).get("/insights/trends/export.csv").content.decode()
    rows = {(r["key"], r["measure"]): r for r in _table(body, "by_type")}
    assert rows[("romance_fraud", "count")]["yours"] == "30"
    assert rows[("total", "count")]["community"] == "40"
    assert rows[("job_scam", "count")]["community"] == rows[("bec", "count")]["community"] == ""


def test_filters_narrow_and_bad_ones_answer_400(world, make_user, signed_in):
    client = signed_in(make_user("spf"))
    body = client.get("/insights/trends/export.csv?crime_type=bec&country=TH").content.decode()
    rows = {(r["key"], r["measure"]): r for r in _table(body, "by_type")}
    assert {k for k, _m in rows} == {"bec", "total"}
    assert rows[("bec", "count")]["community"] == ""  # 3 Thai cases of one agency
    for bad in ("start=2026-13", "country=Malaysia", "start=2026-05&end=2026-01", "crime_type=nope"):
        response = client.get(f"/insights/trends/?{bad}")
        assert response.status_code == 400, bad
        assert "is-invalid" in response.content.decode() or "Select a valid choice" in response.content.decode()


def test_briefing_page_and_pdf(world, make_user, signed_in):
    from pypdf import PdfReader

    user = make_user("spf")
    client = signed_in(user)
    page = client.get("/insights/trends/briefing/")
    assert page.status_code == 200 and "Briefing" in page.content.decode()
    response = client.get("/insights/trends/briefing.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Romance" in text and "fewer than 5" in text and "Total 2 40" in text
    assert "rmp-secret-tag" not in text
    assert AuditEvent.objects.filter(action=Action.TRENDS_EXPORTED, actor=user, details__format="pdf").exists()


def test_api_gives_null_and_suppressed(world, make_user, client):
    user = make_user("spf")
    _, secret = accounts.create_api_token(user, name="t", scope=TokenScope.READ, days=1)
    response = client.get("/api/v1/insights/trends?crime_type=", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    tables = {t["name"]: t for t in response.json()["tables"]}
    rows = {r["key"]: r for r in tables["by_type"]["rows"]}
    assert rows["bec"]["community"]["count"] == 7 and rows["bec"]["suppressed"] is False
    assert rows["job_scam"]["community"] == {"count": None, "victims": None, "loss_usd": None}
    assert rows["job_scam"]["suppressed"] is True and rows["job_scam"]["yours"]["count"] == 2
    assert response.json()["rule"] == {"min_cases": 5, "min_agencies": 2}
    event = AuditEvent.objects.filter(action=Action.TRENDS_VIEWED, actor=user).latest("id")
    assert event.details["api"] is True
    bad = client.get("/api/v1/insights/trends?start=2026-99", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bad.status_code == 422 and "start" in bad.json()["errors"]


def test_minimums_come_from_settings(world, make_user, signed_in, settings):
    settings.TRENDS_MIN_CASES = 8
    body = signed_in(make_user("spf")).get("/insights/trends/export.csv?table=by_type").content.decode()
    rows = {(r["key"], r["measure"]): r for r in _table(body, "by_type")}
    assert rows[("bec", "count")]["community"] == ""  # 7 < 8
