"""lintas.core.pdf and lintas.core.charts: the PDF keeps text as text (Korean and Thai included), fetches nothing but
data: URIs, and a chart's hidden cells never show their value, neither in the table nor in the page's JSON."""

import io
import json
import re

import pytest
from django.template import engines
from pypdf import PdfReader

from lintas.core.charts import Chart, Series
from lintas.core.pdf import _fetcher_class, render_pdf


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _chart():
    return Chart(
        "cases",
        "Cases by month",
        "bar",
        ["2026-01", "2026-02", "2026-03"],
        [Series("Cases", [12, None, 9]), Series("Victims", [7, 3, 2])],
        unit="cases",
    )


def test_chart_checks_its_shape():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        Chart("x", "X", "bar", ["a", "b", "c"], [Series("s", [1, 2])])
    with pytest.raises(ValueError, match="unknown chart kind"):
        Chart("x", "X", "pie", ["a"], [Series("s", [1])])


def test_chart_table_shows_hidden_cells_as_not_shown():
    rows = _chart().rows()
    assert rows[1] == ("2026-02", ["not shown", "3"])
    assert rows[0] == ("2026-01", ["12", "7"])


def test_page_chart_has_canvas_data_and_table_without_inline_script():
    html = engines["django"].from_string('{% include "core/_chart.html" with chart=c %}').render({"c": _chart()})
    assert 'data-chart="chart-cases-data"' in html
    data = re.search(r'<script id="chart-cases-data" type="application/json">(.*?)</script>', html).group(1)
    assert json.loads(data)["series"][0]["values"] == [12, None, 9]
    assert '<td class="text-end">not shown</td>' in html
    # the only <script> is the JSON data block, which the CSP lets through because it is not executed
    assert len(re.findall(r"<script", html)) == 1


def test_empty_chart_says_so():
    chart = Chart("none", "Nothing", "line", ["a"], [Series("s", [None])])
    html = engines["django"].from_string('{% include "core/_chart.html" with chart=c %}').render({"c": chart})
    assert "Nothing to show yet." in html and "<canvas" not in html


@pytest.mark.parametrize("kind", ["bar", "hbar", "line"])
def test_svg_keeps_labels_as_text(kind):
    chart = _chart()
    chart.kind = kind
    svg = chart.svg
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "2026-03" in svg  # svg.fonttype none: labels are text, not paths
    assert not re.search(r'href="(?!#)', svg)  # no external references: only in-document ones


def test_pdf_text_readable_in_korean_and_thai():
    tpl = engines["django"].from_string(
        '{% extends "core/pdf_base.html" %}{% block content %}<h1>{{ title }}</h1>'
        '{% include "core/_chart_pdf.html" with chart=c %}{% endblock %}'
    )
    pdf = _render_string(tpl, {"title": "보고서 รายงาน Báo cáo", "c": _chart()})
    text = _pdf_text(pdf)
    assert "보고서 รายงาน Báo cáo" in text
    assert "Cases by month" in text and "not shown" in text
    assert "12" in text


def _render_string(tpl, context) -> bytes:
    from weasyprint import HTML

    fetcher, _ = _fetcher_class()
    return HTML(string=tpl.render(context), base_url="data:,", url_fetcher=fetcher()).write_pdf()


def test_fetcher_refuses_everything_but_data_uris():
    fetcher, _ = _fetcher_class()
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="fetch nothing"):
            fetcher().fetch(url)
    assert fetcher().fetch("data:text/plain,ok") is not None


def test_render_pdf_renders_a_template(settings, tmp_path, monkeypatch):
    settings.TEMPLATES[0]["DIRS"] = [*settings.TEMPLATES[0].get("DIRS", []), str(tmp_path)]
    (tmp_path / "probe.html").write_text(
        '{% extends "core/pdf_base.html" %}{% block content %}<p>{{ word }}</p>'
        '<img src="file:///etc/passwd" alt="">{% endblock %}'
    )
    from django.template import engines as fresh

    fresh["django"].engine.dirs = [*fresh["django"].engine.dirs, str(tmp_path)]
    from weasyprint.urls import URLFetcher

    fetched = []
    original = URLFetcher.fetch
    monkeypatch.setattr(URLFetcher, "fetch", lambda self, url, headers=None: fetched.append(url) or original(self, url))
    data = render_pdf("probe.html", {"word": "Lintas-probe"})
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Lintas-probe" in text and "root:" not in text
    assert not [url for url in fetched if not url.startswith("data:")]  # the file: URL was never opened
