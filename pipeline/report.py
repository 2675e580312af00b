"""``python -m pipeline report --output DIR``: the exchanges as a timeline (PNG) and a page (HTML).

The PNG shows, for the busiest pairs of parties, how many people (or bodies) each side received in
every exchange over time: one side above the axis, the other below; disputed figures are ringed.
The HTML page embeds it and lists every exchange with its sources, disputed ones highlighted.
Reads the published read-only copy.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.cli import _warehouse_arg, command
from pipeline.settings import Settings
from pipeline.warehouse import connect_reader

MAX_PANELS = 4
COLORS = ("#1f5fa8", "#d9822b")
_EXCHANGES = """SELECT exchange_id, event_type, status, event_date, date_precision, parties, returned_to,
    count_qualifier, mediators, location, n_sources, disputed, disputes, evidence FROM exchanges
    ORDER BY event_date DESC NULLS LAST, exchange_id"""
_SOURCES = """SELECT exchange_id, url, outlet, published, quote, claimed_date, claimed_returned_to, claimed_status
    FROM exchange_sources ORDER BY published NULLS LAST, outlet"""


def load_exchanges(settings: Settings) -> tuple[list[dict], dict[str, list[dict]]]:
    con = connect_reader(settings.warehouse, settings.replica_path)
    try:
        cur = con.execute(_EXCHANGES)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        cur = con.execute(_SOURCES)
        scols = [d[0] for d in cur.description]
        sources: dict[str, list[dict]] = {}
        for values in cur.fetchall():
            source = dict(zip(scols, values, strict=True))
            sources.setdefault(source["exchange_id"], []).append(source)
    finally:
        con.close()
    for row in rows:
        row["returned_to"] = _json(row["returned_to"])
        row["disputes"] = _json(row["disputes"])
    return rows, sources


def _json(value: Any) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


def _panels(rows: list[dict]) -> list[tuple[tuple[str, ...], str, list[dict]]]:
    done = [r for r in rows if r["status"] == "conducted" and r["event_date"] is not None]
    groups = Counter((tuple(r["parties"]), r["event_type"]) for r in done)
    top = [k for k, _n in groups.most_common(MAX_PANELS)]
    return [(pair, etype, sorted((r for r in done if (tuple(r["parties"]), r["event_type"]) == (pair, etype)),
                                 key=lambda r: r["event_date"])) for pair, etype in top]


def draw_timeline(rows: list[dict], path: Path) -> Path:
    """Counts each way over time, one panel per pair of parties and kind of exchange."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    panels = _panels(rows)
    fig, axes = plt.subplots(max(1, len(panels)), 1, figsize=(12, 3.4 * max(1, len(panels))), squeeze=False)
    for ax, (pair, etype, items) in zip(axes[:, 0], panels, strict=False):
        _draw_panel(ax, pair, etype, items, mdates)
    if not panels:
        axes[0, 0].text(0.5, 0.5, "No conducted exchanges with a known day yet", ha="center", va="center")
        axes[0, 0].set_axis_off()
    fig.suptitle("Prisoner exchanges and repatriations: how many each side received", fontsize=14, y=0.995)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _label_runs(days: list[date], values: list[int], span_days: float) -> list[tuple[date, int, str]]:
    """One label per run of exchanges a few days apart ("390 · 307 · 303"), so figures never overprint."""
    runs: list[list[int]] = []
    for i, d in enumerate(days):
        if runs and (d - days[runs[-1][-1]]).days < span_days * 0.025:
            runs[-1].append(i)
        else:
            runs.append([i])
    out = []
    for run in runs:
        tip = max(run, key=lambda i: abs(values[i]))
        out.append((days[run[len(run) // 2]], values[tip], " · ".join(f"{abs(values[i]):,}" for i in run)))
    return out


def _draw_side(ax: Any, items: list[dict], side: str, sign: int, color: str, noun: str, span: float) -> None:
    known = [r for r in items if r["returned_to"].get(side) is not None]
    days = [r["event_date"] for r in known]
    values = [sign * r["returned_to"][side] for r in known]
    ax.vlines(days, 0, values, color=color, linewidth=3, alpha=0.85, label=f"{noun} received by {side}")
    ax.scatter(days, values, color=color, s=18, zorder=3)
    ringed = [(d, v) for d, v, r in zip(days, values, known, strict=True) if r["disputed"]]
    if ringed:
        ax.scatter([d for d, _ in ringed], [v for _, v in ringed], s=150, facecolors="none", edgecolors="#c0392b",
                   linewidths=2, zorder=4, label="disputed: sources disagree" if sign == 1 else None)
    if len(known) <= 40:
        for d, v, text in _label_runs(days, values, span):
            ax.annotate(text, (d, v), textcoords="offset points", xytext=(0, 6 * sign), ha="center",
                        va="bottom" if sign > 0 else "top", fontsize=8, color=color)


def _draw_panel(ax: Any, pair: tuple[str, ...], etype: str, items: list[dict], mdates: Any) -> None:
    from datetime import timedelta

    from matplotlib.ticker import MaxNLocator

    noun = "bodies" if etype == "body_repatriation" else "people"
    first, last = items[0]["event_date"], items[-1]["event_date"]
    pad = timedelta(days=max(2, (last - first).days * 0.03))
    span = (last - first + 2 * pad).days
    for sign, side, color in zip((1, -1), pair, COLORS, strict=False):
        _draw_side(ax, items, side, sign, color, noun, span)
    ax.axhline(0, color="#444", linewidth=0.8)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{abs(v):,.0f}")
    kind = "bodies repatriated" if etype == "body_repatriation" else "prisoner exchanges"
    ax.set_title(f"{' – '.join(pair)}: {kind} ({len(items)})", loc="left", fontsize=11)
    ax.set_ylabel(f"{noun} received", fontsize=9)
    for y, side, color, va in zip((0.97, 0.03), pair, COLORS, ("top", "bottom"), strict=False):
        ax.text(0.005, y, f"{'▲' if va == 'top' else '▼'} to {side}", transform=ax.transAxes, va=va,
                fontsize=9, color=color, fontweight="bold")
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlim(first - pad, last + pad)
    ax.margins(y=0.3)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False, ncol=3)


def _counts_text(r: dict) -> str:
    rt = r["returned_to"]
    parts = [f"{html.escape(p)}: <b>{'?' if rt.get(p) is None else f'{rt[p]:,}'}</b>" for p in r["parties"]]
    qual = r["count_qualifier"]
    return " · ".join(parts) + (f" <span class=q>({html.escape(qual)})</span>" if qual and qual != "exact" else "")


def _source_item(s: dict) -> str:
    url = s["url"] or ""
    host = html.escape(s["outlet"] or url or "unknown")
    link = f'<a href="{html.escape(url)}">{host}</a>' if url.startswith(("http://", "https://")) else host
    claimed = _json(s["claimed_returned_to"])
    said = ", ".join(f"{html.escape(k)} {'?' if v is None else v}" for k, v in claimed.items())
    when = html.escape(str(s["claimed_date"] or "no day"))
    pub = html.escape(str(s["published"] or ""))
    return (f"<li>{link} <span class=q>{pub}</span> — says {when}; {said}"
            f"<blockquote>{html.escape(s['quote'] or '')}</blockquote></li>")


def _dispute_text(disputes: dict) -> str:
    """What the sources say where they disagree: "Ukraine: 146 (4 reports), 154 (1)"."""
    def values(counts: dict) -> str:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{html.escape(str(v))} ({n} report{'s' if n != 1 else ''})" for v, n in ranked)

    lines = [f"{html.escape(side)}: {values(c)}" for side, c in disputes.get("returned_to", {}).items()]
    if disputes.get("event_date"):
        lines.append(f"day: {values(disputes['event_date'])}")
    return "".join(f"<div class=q>{line}</div>" for line in lines)


def _row(r: dict, sources: list[dict]) -> str:
    cls = ' class="disputed"' if r["disputed"] else ""
    badge = f"<span class=badge>disputed</span>{_dispute_text(r['disputes'])}" if r["disputed"] else ""
    day = html.escape(str(r["event_date"] or f"({r['date_precision'] or 'no day'})"))
    items = "".join(_source_item(s) for s in sources)
    return (f"<tr{cls}><td>{day}</td><td>{html.escape(r['event_type'].replace('_', ' '))}<br>"
            f"<span class=q>{html.escape(r['status'])}</span></td><td>{_counts_text(r)} {badge}</td>"
            f"<td>{html.escape(', '.join(r['mediators'] or []))}</td><td>{html.escape(r['location'] or '')}</td>"
            f"<td><details><summary>{r['n_sources']} source{'s' if r['n_sources'] != 1 else ''}</summary>"
            f"<ul>{items}</ul></details></td></tr>")


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #ddd;padding:6px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4;position:sticky;top:0}tr.disputed{background:#fff4e0}
.badge{background:#c0392b;color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}.q{color:#777;font-size:12px}
blockquote{margin:4px 0 8px 12px;color:#555;font-style:italic}img{max-width:100%;border:1px solid #eee}
.stats span{margin-right:2rem}"""


def render_html(rows: list[dict], sources: dict[str, list[dict]], png: bytes, today: date | None = None) -> str:
    disputed = sum(1 for r in rows if r["disputed"])
    n_sources = sum(r["n_sources"] for r in rows)
    body = "".join(_row(r, sources.get(r["exchange_id"], [])) for r in rows)
    img = base64.b64encode(png).decode("ascii")
    stamp = f" — {today.isoformat()}" if today else ""
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>Prisoner exchanges</title>"
            f"<style>{_CSS}</style><h1>Prisoner exchanges{stamp}</h1><p class=stats><span><b>{len(rows)}</b> "
            f"exchanges</span><span><b>{n_sources}</b> reports</span><span><b>{disputed}</b> disputed</span></p>"
            f"<p>One row per real-world exchange, reconciled from every report of it. Where reports disagree "
            f"the row is highlighted; open its sources to see who said what.</p>"
            f'<img alt="Timeline of exchanges: counts each way" src="data:image/png;base64,{img}">'
            f"<table><thead><tr><th>day</th><th>kind</th><th>received by each side</th><th>mediators</th>"
            f"<th>location</th><th>sources</th></tr></thead><tbody>{body}</tbody></table></html>\n")


def write_report(settings: Settings, output: Path) -> tuple[Path, Path]:
    rows, sources = load_exchanges(settings)
    png = draw_timeline(rows, output / "exchanges_timeline.png")
    page = output / "exchanges.html"
    page.write_text(render_html(rows, sources, png.read_bytes()), encoding="utf-8")
    return png, page


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", type=Path, required=True, help="folder for exchanges_timeline.png and exchanges.html")
    _warehouse_arg(p)


@command("report", "draw the exchanges timeline (PNG) and an HTML page of exchanges with their sources",
         _report_args)
def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    png, page = write_report(settings, args.output)
    print(f"timeline: {png}\npage: {page}")
    return 0
