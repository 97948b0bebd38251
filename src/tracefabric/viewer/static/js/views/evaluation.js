// Evaluation reports — PROVISIONAL: the evaluate command's report format is not settled yet
// (see viewer/views/evaluation.py). Metrics with intervals, per-tool/per-topic tables, two
// reports side by side, and a task's trace.

import { get } from "../api.js";
import { badge, fmt, h, json, keyValues, link, section, show } from "../dom.js";
import { go } from "../router.js";
import { checksPanel, provenancePanel, qualityPanel, summaryBadges, taskPanel, timeline } from "./timeline.js";

function number(value) {
  if (typeof value !== "number") return value ?? "–";
  return Math.abs(value) < 10 && !Number.isInteger(value) ? value.toFixed(3) : fmt(value);
}

function interval(m, scale) {
  if (m.low == null || m.high == null) return h("span", { class: "muted" }, "");
  const [lo, hi] = scale;
  const place = (v) => `${(100 * (v - lo)) / (hi - lo || 1)}%`;
  return h("span", { class: "ci", title: `${number(m.low)} – ${number(m.high)}` },
    h("span", { class: "ci-range", style: { left: place(m.low), width: `${(100 * (m.high - m.low)) / (hi - lo || 1)}%` } }),
    h("span", { class: "ci-point", style: { left: place(m.value) } }));
}

function scaleOf(metrics) {
  const values = metrics.flatMap((m) => [m.value, m.low, m.high]).filter((v) => typeof v === "number");
  const lo = Math.min(0, ...values);
  const hi = Math.max(1, ...values);
  return [lo, hi];
}

function metricsTable(report) {
  const scale = scaleOf(report.metrics);
  return h("table", { class: "list metrics" },
    h("thead", {}, h("tr", {}, ["metric", "value", "interval", "", "n"].map((t) => h("th", {}, t)))),
    h("tbody", {}, report.metrics.map((m) => h("tr", {},
      h("th", {}, m.name), h("td", { class: "num" }, number(m.value)),
      h("td", { class: "num muted" }, m.low != null ? `${number(m.low)} – ${number(m.high)}` : ""),
      h("td", { class: "cicell" }, interval(m, scale)), h("td", { class: "num" }, m.n ?? "")))));
}

function compareTable(rows, a, b) {
  return h("table", { class: "list metrics" },
    h("thead", {}, h("tr", {}, ["metric", a, b, "Δ", "intervals"].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("th", {}, r.name),
      h("td", { class: "num" }, r.a ? number(r.a.value) : "–", r.a && r.a.low != null ? h("span", { class: "muted small" }, ` [${number(r.a.low)}, ${number(r.a.high)}]`) : null),
      h("td", { class: "num" }, r.b ? number(r.b.value) : "–", r.b && r.b.low != null ? h("span", { class: "muted small" }, ` [${number(r.b.low)}, ${number(r.b.high)}]`) : null),
      h("td", { class: `num ${r.delta > 0 ? "up" : r.delta < 0 ? "down" : ""}` }, r.delta == null ? "" : `${r.delta > 0 ? "+" : ""}${number(r.delta)}`),
      h("td", {}, r.overlap == null ? "" : r.overlap ? badge("overlap", "", "the difference may be noise") : badge("separate", "ok"))))));
}

function table(t) {
  return section(t.name.replace(/^per_/, "per "),
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, [t.name.replace(/^per_/, ""), ...t.columns].map((c) => h("th", {}, c)))),
      h("tbody", {}, t.rows.map((r) => h("tr", {}, h("th", {}, r.key),
        t.columns.map((c) => {
          const m = r.metrics[c];
          return h("td", { class: "num" }, m ? number(m.value) : "", m && m.low != null ? h("span", { class: "muted small" }, ` [${number(m.low)}, ${number(m.high)}]`) : null);
        }))))));
}

export async function evaluationView(main, { slug }, query, { frame, state }) {
  frame(slug, "evaluation");
  const params = query.get("compare") ? new URLSearchParams({ compare: query.get("compare") }) : null;
  const data = await get(`/e/${slug}`, params);
  const report = data.report;
  document.title = `${slug} — evaluation`;
  const others = state.sources.filter((s) => s.kind === "evaluation" && s.slug !== slug);
  const picker = others.length
    ? h("label", {}, "compare with ",
      h("select", { "aria-label": "compare with", onchange: (e) => go(`/e/${slug}${e.target.value ? `?compare=${encodeURIComponent(e.target.value)}` : ""}`) },
        h("option", { value: "" }, "—"),
        others.map((s) => h("option", { value: s.slug, selected: query.get("compare") === s.slug }, s.slug))))
    : null;
  const tasks = report.tasks.length
    ? section(`Tasks (${fmt(report.tasks.length)})`,
      h("table", { class: "list" },
        h("thead", {}, h("tr", {}, ["task", "topic", "result", "score", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, report.tasks.map((t) => h("tr", {},
          h("td", {}, t.has_trace ? link(`/e/${slug}/tasks/${encodeURIComponent(t.id)}`, t.id) : t.id),
          h("td", {}, t.topic || ""),
          h("td", {}, t.success === true ? badge("success", "ok") : t.success === false ? badge("failure", "bad") : ""),
          h("td", { class: "num" }, t.score ?? ""),
          h("td", {}, t.has_trace ? "trace" : ""))))))
    : null;
  show(main, 
    h("div", { class: "page-head" }, h("h1", {}, "Evaluation report"), h("p", { class: "muted" }, data.path),
      h("p", { class: "notice" }, "Provisional view: the evaluation report format is not final.")),
    Object.keys(report.info).length ? keyValues(Object.entries(report.info)) : null,
    picker,
    data.compare
      ? section(`Metrics: ${slug} vs ${data.compare.slug}`, compareTable(data.compare.metrics, slug, data.compare.slug))
      : section("Metrics", report.metrics.length ? metricsTable(report) : h("p", { class: "muted" }, "no metrics")),
    data.compare
      ? h("div", { class: "side-by-side" },
        h("div", {}, h("h2", {}, slug), report.tables.map(table)),
        h("div", {}, h("h2", {}, data.compare.slug), data.compare.report.tables.map(table)))
      : report.tables.map(table),
    tasks);
}

export async function taskView(main, { slug, task }, query, { frame }) {
  frame(slug, "evaluation");
  const data = await get(`/e/${slug}/tasks/${encodeURIComponent(task)}`);
  document.title = `${slug} — task ${task}`;
  const view = data.view;
  show(main, 
    h("div", { class: "record-nav" }, link(`/e/${slug}`, "← report")),
    h("div", { class: "page-head" }, h("h1", {}, `Task ${task}`), keyValues(Object.entries(data.task).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : v]))),
    view
      ? h("div", { class: "record-layout" },
        h("div", { class: "record-main" }, summaryBadges(view), timeline(view)),
        h("aside", { class: "record-side" }, qualityPanel(view), taskPanel(view), checksPanel(view, null), provenancePanel(view)))
      : h("p", { class: "muted" }, "This task has no trace."),
    data.record ? h("details", { class: "card raw" }, h("summary", {}, "Raw JSON"), json(data.record)) : null);
}
