"""The health report as one self-contained HTML page (``--format html``): the findings by area
and severity as inline SVG bar charts, a filter by severity, and each finding with its
measured value, threshold, why, caveat and the fix ready to copy. No external file, script or
font: the page works offline and from a CI artifact."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html import escape

from dbdesign.health.registry import CHECKS
from dbdesign.health.report import HealthFinding, HealthReport
from dbdesign.lint.findings import Severity

SEVERITIES = (Severity.error, Severity.warning, Severity.info)
COLOURS = {Severity.error: "#c62828", Severity.warning: "#ef8f00", Severity.info: "#1e6fb8"}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header,main{max-width:1100px;margin:0 auto;padding:16px 24px}
header{background:#1d2430;color:#fff;max-width:none}
header h1{margin:0 0 4px;font-size:22px}
.meta{opacity:.8;font-size:13px}
.cards{display:flex;gap:12px;margin:16px 0}
.card{background:#fff;border-radius:6px;padding:10px 16px;border-left:6px solid}
.card b{font-size:24px;display:block}
.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{background:#fff;border-radius:6px;padding:12px;flex:1 1 420px}
.chart h2,.section h2{font-size:16px;margin:0 0 8px}
.filters{margin:16px 0}
.filters label{margin-right:16px}
.finding{background:#fff;border-radius:6px;padding:10px 16px;margin:10px 0;
  border-left:6px solid}
.finding h3{margin:0;font-size:15px}
.finding dl{display:grid;grid-template-columns:110px 1fr;margin:6px 0;gap:2px 8px}
.finding dt{color:#5b6473}
.finding dd{margin:0}
.badge{font-size:12px;padding:1px 6px;border-radius:8px;background:#e8f5e9;color:#1b5e20}
pre{background:#f0f2f5;padding:8px;overflow-x:auto;margin:4px 0}
button.copy{float:right;font-size:12px}
.section{background:#fff;border-radius:6px;padding:10px 16px;margin:10px 0}
"""

SCRIPT = """
document.querySelectorAll('.filters input').forEach(function (box) {
  box.addEventListener('change', function () {
    document.querySelectorAll('.finding[data-severity="' + box.value + '"]').forEach(
      function (f) { f.hidden = !box.checked; });
    document.getElementById('shown').textContent =
      document.querySelectorAll('.finding:not([hidden])').length;
  });
});
document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    var text = b.nextElementSibling.textContent;
    if (navigator.clipboard) { navigator.clipboard.writeText(text).catch(function () {}); }
    b.textContent = 'copied';
  });
});
"""


def render(report: HealthReport) -> str:
    """The report as an HTML page."""
    counts = Counter(f.severity for f in report.findings)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>health of {escape(report.database)}</title><style>{STYLE}</style></head><body>",
        "<header>",
        f"<h1>Health of {escape(report.database)}</h1>",
        f"<div class='meta'>{escape(_meta(report))}</div></header><main>",
        "<div class='cards'>",
        *(
            f"<div class='card' style='border-color:{COLOURS[s]}' data-severity='{s.value}'>"
            f"<b>{counts[s]}</b>{s.value}</div>"
            for s in SEVERITIES
        ),
        "</div><div class='charts'>",
        _chart("Findings by area", _by(report, lambda f: _area(f.check))),
        _chart("Findings by check", _by(report, lambda f: f.check)),
        "</div>",
        "<div class='filters'>Show: ",
        *(
            f"<label><input type='checkbox' value='{s.value}' checked> {s.value}</label>"
            for s in SEVERITIES
        ),
        f"<span id='shown'>{len(report.findings)}</span> shown</div>",
        *(_finding(report, f) for f in report.findings),
        _notes(report),
        _resolved(report),
        f"</main><script>{SCRIPT}</script></body></html>\n",
    ]
    return "".join(parts)


def _meta(report: HealthReport) -> str:
    bits = [report.server]
    if report.taken_at:
        bits.append(f"reviewed {report.taken_at:%Y-%m-%d %H:%M} UTC")
    if report.stats_days is not None:
        bits.append(f"statistics {report.stats_days:.0f} days old")
    bits.append(f"{len(report.checks)} checks")
    return " · ".join(bits)


def _area(check: str) -> str:
    chk = CHECKS.get(check)
    return chk.area if chk else "other"


def _by(report: HealthReport, key: Callable[[HealthFinding], str]) -> dict[str, Counter[Severity]]:
    out: dict[str, Counter[Severity]] = {}
    for f in report.findings:
        out.setdefault(key(f), Counter())[f.severity] += 1
    return dict(sorted(out.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])))


def _chart(title: str, rows: dict[str, Counter[Severity]]) -> str:
    """A horizontal bar per row, stacked by severity, as inline SVG."""
    if not rows:
        return f"<div class='chart'><h2>{escape(title)}</h2><p>No findings.</p></div>"
    most = max(sum(c.values()) for c in rows.values())
    label, bar, height = 190, 300, 22
    svg = [
        f"<svg role='img' aria-label='{escape(title)}' width='{label + bar + 40}' "
        f"height='{height * len(rows) + 4}' xmlns='http://www.w3.org/2000/svg'>"
    ]
    for i, (name, counts) in enumerate(rows.items()):
        y = i * height + 2
        svg.append(
            f"<text x='{label - 6}' y='{y + 15}' text-anchor='end' font-size='13'>"
            f"{escape(name)}</text>"
        )
        x = float(label)
        for s in SEVERITIES:
            if counts[s]:
                w = bar * counts[s] / most
                svg.append(
                    f"<rect class='bar' data-severity='{s.value}' x='{x:.1f}' y='{y}' "
                    f"width='{w:.1f}' height='{height - 6}' fill='{COLOURS[s]}'>"
                    f"<title>{escape(name)}: {counts[s]} {s.value}</title></rect>"
                )
                x += w
        svg.append(
            f"<text x='{x + 6:.1f}' y='{y + 15}' font-size='13'>{sum(counts.values())}</text>"
        )
    svg.append("</svg>")
    return f"<div class='chart'><h2>{escape(title)}</h2>{''.join(svg)}</div>"


def _finding(report: HealthReport, f: HealthFinding) -> str:
    cmp = report.comparison
    new = " <span class='badge'>new</span>" if cmp and f.key in cmp.new else ""
    was = f" (was: {escape(cmp.was[f.key])})" if cmp and f.key in cmp.was else ""
    rows = [
        ("measured", f"{escape(f.value)}{was}"),
        ("threshold", escape(f.threshold)),
        ("why", escape(f.why)),
    ]
    if f.caveat:
        rows.append(("caveat", escape(f.caveat)))
    return (
        f"<section class='finding' data-severity='{f.severity.value}' "
        f"data-check='{escape(f.check)}' style='border-color:{COLOURS[f.severity]}'>"
        f"<h3>{f.severity.value} · {escape(f.check)} · <code>{escape(f.object)}</code>{new}</h3>"
        f"<dl>{''.join(f'<dt>{k}</dt><dd>{v}</dd>' for k, v in rows)}</dl>"
        f"<button class='copy' type='button'>copy</button><pre class='fix'>{escape(f.fix)}</pre>"
        "</section>"
    )


def _notes(report: HealthReport) -> str:
    if not report.notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
    return f"<div class='section notes'><h2>Notes</h2><ul>{items}</ul></div>"


def _resolved(report: HealthReport) -> str:
    cmp = report.comparison
    if cmp is None:
        return ""
    items = "".join(
        f"<li>{escape(f.check)} <code>{escape(f.object)}</code></li>" for f in cmp.resolved
    )
    return (
        f"<div class='section resolved'><h2>Since {escape(cmp.baseline)}: {len(cmp.new)} new, "
        f"{len(cmp.resolved)} resolved</h2><ul>{items}</ul></div>"
    )
