"""``report``: a timeline PNG and an HTML page of exchanges with their sources."""

from __future__ import annotations

from pipeline.cli import main
from pipeline.report import _label_runs, render_html
from tests.test_reconcile_warehouse import SCENARIOS, batch_of, run_load


def test_report_draws_png_and_page_with_sources_and_disputes(tmp_path, capsys):
    path = tmp_path / "w.duckdb"
    items = [i for sc in SCENARIOS.values() for i in sc["claims"]]
    articles, rows, _ = batch_of(items)
    run_load(path, "r1", articles, rows)
    out = tmp_path / "report"
    assert main(["report", "--output", str(out), "--warehouse", str(path)]) == 0
    png = (out / "exchanges_timeline.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    page = (out / "exchanges.html").read_text()
    assert page.count("<tr class=\"disputed\">") == 6  # Aug 24, Sep 14, May 25, Feb 12, Nov 26, Oct 18
    assert page.count("<tr") == 1 + 28
    assert "data:image/png;base64," in page and "https://dpa-example.test/news/aug-a2" in page
    assert "Russland und die Ukraine haben am Sonntag je 154 Gefangene ausgetauscht." in page


def test_page_escapes_text_and_links_only_web_urls():
    row = {"exchange_id": "x", "event_type": "prisoner_exchange", "status": "conducted", "event_date": None,
           "date_precision": "month", "parties": ["A<b>", "B"], "returned_to": {"A<b>": 1, "B": None},
           "count_qualifier": "exact", "mediators": [], "location": None, "n_sources": 1, "disputed": False,
           "disputes": {}}
    src = {"url": "javascript:alert(1)", "outlet": "evil", "published": None, "quote": "<script>x</script>",
           "claimed_date": None, "claimed_returned_to": '{"A<b>": 1}', "claimed_status": "conducted"}
    page = render_html([row], {"x": [src]}, b"png")
    assert "<script>x" not in page and "&lt;script&gt;" in page and "A&lt;b&gt;" in page
    assert 'href="javascript' not in page


def test_labels_of_nearby_exchanges_are_joined():
    from datetime import date

    days = [date(2025, 5, 23), date(2025, 5, 24), date(2025, 5, 25), date(2025, 8, 14)]
    runs = _label_runs(days, [390, 307, 303, 84], span_days=600)
    assert [r[2] for r in runs] == ["390 · 307 · 303", "84"] and runs[0][1] == 390
