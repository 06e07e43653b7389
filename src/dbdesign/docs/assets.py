# ruff: noqa: E501  (inline CSS and JavaScript read better unwrapped)
"""The HTML report's stylesheet and script, inlined into the file (no network needed to view it).

Kept as Python strings so that they ship with the package without package-data entries.
"""

CSS = r"""
:root {
  --bg: #f8fafc; --panel: #ffffff; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0;
  --accent: #4338ca; --accent-soft: #eef2ff; --head: #334155; --code: #f1f5f9;
  --error: #b91c1c; --error-soft: #fee2e2; --warning: #b45309; --warning-soft: #fef3c7;
  --info: #0369a1; --info-soft: #e0f2fe;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: var(--code); padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
.type code { white-space: nowrap; }
.page { scroll-margin-top: 80px; }
header.top {
  display: flex; align-items: baseline; gap: 16px; padding: 14px 24px;
  background: #1e1b4b; color: #fff; position: sticky; top: 0; z-index: 5;
}
header.top .brand { font-weight: 700; letter-spacing: .04em; color: #a5b4fc; font-size: 13px; text-transform: uppercase; }
header.top h1 { margin: 0; font-size: 18px; font-weight: 600; }
header.top .meta { margin-left: auto; color: #c7d2fe; font-size: 13px; }
.layout { display: grid; grid-template-columns: 300px 1fr; min-height: calc(100vh - 52px); }
nav#sidebar {
  border-right: 1px solid var(--line); background: var(--panel); padding: 14px 0 24px;
  position: sticky; top: 52px; height: calc(100vh - 52px); overflow-y: auto;
}
#search {
  display: block; width: calc(100% - 28px); margin: 0 14px 6px; padding: 8px 10px;
  border: 1px solid var(--line); border-radius: 8px; font: inherit; background: var(--bg);
}
#search:focus { outline: 2px solid var(--accent); outline-offset: -1px; background: #fff; }
#count { color: var(--muted); font-size: 12px; margin: 0 16px 10px; }
nav .nav-overview { display: block; margin: 0 8px 8px; padding: 6px 10px; border-radius: 6px; font-weight: 600; }
nav h2 { font-size: 11px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 14px 18px 4px; }
nav ul { list-style: none; margin: 0; padding: 0 8px; }
nav li a { display: flex; align-items: center; gap: 6px; padding: 4px 10px; border-radius: 6px; color: var(--ink); }
nav li a:hover { background: var(--accent-soft); text-decoration: none; }
nav li a.active, nav .nav-overview.active { background: var(--accent); color: #fff; }
nav li a.active .badge { background: rgba(255,255,255,.2); color: #fff; }
nav li .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
nav li .badge { margin-left: auto; }
nav li.partition a { padding-left: 24px; color: var(--muted); font-size: 13px; }
nav li[hidden] { display: none; }
.badge { font-size: 11px; color: var(--muted); background: var(--code); border-radius: 10px; padding: 1px 7px; }
.badge.err { background: var(--error-soft); color: var(--error); }
.badge.warn { background: var(--warning-soft); color: var(--warning); }
.badge.info { background: var(--info-soft); color: var(--info); }
code.nw { white-space: nowrap; }
main { padding: 24px 32px 48px; min-width: 0; }
.page { display: none; max-width: 1200px; }
.page.active { display: block; }
.page > h2 { font-size: 24px; margin: 0 0 4px; }
.page > h2 .schema { color: var(--muted); font-weight: 400; }
.sub { color: var(--muted); margin: 0 0 16px; }
.comment { background: var(--accent-soft); border-left: 3px solid var(--accent); padding: 8px 12px; border-radius: 4px; margin: 0 0 16px; }
h3 { font-size: 15px; margin: 28px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; margin: 16px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .n { font-size: 24px; font-weight: 700; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
table.grid { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--panel);
  border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
table.grid th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600;
  background: #f1f5f9; padding: 7px 10px; border-bottom: 1px solid var(--line); }
table.grid td { padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.grid tr:last-child td { border-bottom: 0; }
table.grid tr:hover td { background: #fafaff; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nn { color: var(--muted); }
.key { display: inline-block; font-size: 10.5px; font-weight: 700; border-radius: 4px; padding: 0 5px; margin-right: 3px; }
.key.pk { background: #fef3c7; color: #92400e; }
.key.fk { background: #e0e7ff; color: #3730a3; }
.key.uk { background: #dcfce7; color: #166534; }
.sev { font-size: 11px; font-weight: 700; text-transform: uppercase; border-radius: 4px; padding: 1px 6px; }
.sev.error { background: var(--error-soft); color: var(--error); }
.sev.warning { background: var(--warning-soft); color: var(--warning); }
.sev.info, .sev.hint, .sev.note { background: var(--info-soft); color: var(--info); }
.diagram { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px; overflow: auto; }
.diagram svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
.diagram.natural svg { max-width: none; }
.diagram g.node { cursor: pointer; }
.diagram-tools { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; color: var(--muted); font-size: 12px; }
.diagram-tools button { font: inherit; border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 2px 8px; cursor: pointer; }
.fallback { display: grid; grid-template-columns: 1fr auto 1fr; gap: 14px; align-items: center; }
.fallback .col { display: flex; flex-direction: column; gap: 8px; }
.fallback .col.left { align-items: flex-end; }
.fallback .box { border: 1px solid var(--line); border-radius: 8px; padding: 6px 10px; background: var(--bg); }
.fallback .box.focus { border: 2px solid var(--accent); background: var(--accent-soft); font-weight: 600; }
.fallback .box small { display: block; color: var(--muted); font-weight: 400; }
.empty { color: var(--muted); font-style: italic; }
ul.links { margin: 0; padding-left: 18px; line-height: 1.8; }
pre.sql { background: var(--code); padding: 12px; border-radius: 8px; overflow: auto; font-size: 12.5px; }
@media (max-width: 800px) { .layout { grid-template-columns: 1fr; } nav#sidebar { position: static; height: auto; max-height: 40vh; } }
@media print { nav#sidebar, header.top { display: none; } .layout { display: block; } .page { display: block; } }
"""

JS = r"""
(function () {
  "use strict";
  var search = document.getElementById("search");
  var count = document.getElementById("count");
  var items = Array.prototype.slice.call(document.querySelectorAll("#sidebar li[data-search]"));
  var tableItems = items.filter(function (li) { return li.dataset.kind === "table"; });
  var slugs = JSON.parse(document.getElementById("slugs").textContent);

  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var hay = li.dataset.search;
      var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok && li.dataset.kind === "table") { shown += 1; }
    });
    document.querySelectorAll("#sidebar h2[data-group]").forEach(function (h) {
      var list = document.getElementById(h.dataset.group);
      var any = list && list.querySelector("li:not([hidden])");
      h.hidden = !any;
    });
    count.textContent = words.length
      ? shown + " of " + tableItems.length + " tables"
      : tableItems.length + " tables";
  }

  function show() {
    var id = decodeURIComponent(location.hash.slice(1)) || "overview";
    var page = document.getElementById(id);
    if (!page || !page.classList.contains("page")) { id = "overview"; page = document.getElementById(id); }
    document.querySelectorAll(".page.active").forEach(function (p) { p.classList.remove("active"); });
    page.classList.add("active");
    document.querySelectorAll("#sidebar a.active").forEach(function (a) { a.classList.remove("active"); });
    var link = document.querySelector('#sidebar a[data-target="' + id.replace(/"/g, '\\"') + '"]');
    if (link) {
      link.classList.add("active");
      var r = link.getBoundingClientRect(), nav = document.getElementById("sidebar").getBoundingClientRect();
      if (r.top < nav.top || r.bottom > nav.bottom) { link.scrollIntoView({ block: "center" }); }
    }
    window.requestAnimationFrame(function () { window.scrollTo(0, 0); });
  }

  search.addEventListener("input", filter);
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      var first = items.filter(function (li) { return !li.hidden; })[0];
      if (first) { location.hash = first.querySelector("a").getAttribute("href"); }
    } else if (e.key === "Escape") { search.value = ""; filter(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== search) { e.preventDefault(); search.focus(); }
  });
  // Clicking a table in a diagram opens its page (Graphviz writes the node name as <title>).
  document.addEventListener("click", function (e) {
    var node = e.target.closest ? e.target.closest(".diagram g.node") : null;
    if (node) {
      var title = node.querySelector("title");
      var slug = title && slugs[title.textContent];
      if (slug) { location.hash = "#t-" + slug; }
      return;
    }
    var btn = e.target.closest ? e.target.closest("button[data-zoom]") : null;
    if (btn) {
      var box = btn.parentNode.nextElementSibling;
      box.classList.toggle("natural");
      btn.textContent = box.classList.contains("natural") ? "Fit to width" : "Actual size";
    }
  });
  window.addEventListener("hashchange", show);
  filter();
  show();
})();
"""
