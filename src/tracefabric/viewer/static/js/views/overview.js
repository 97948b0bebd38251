// A dataset at a glance; every count links to the records it counts.

import { get } from "../api.js";
import { badge, fmt, h, keyValues, link, pct, section, show } from "../dom.js";
import { counts, histogram } from "./charts.js";

function recordsLink(slug, params) {
  return `/s/${slug}/records?${new URLSearchParams(params)}`;
}

function topicTree(slug, node, depth = 0) {
  const label = h("span", { class: "topic-label" }, link(recordsLink(slug, { topic: node.id }), node.label), " ", h("span", { class: `count ${node.records ? "" : "zero"}`.trim() }, fmt(node.records)));
  if (!node.children.length) return h("li", { class: node.records ? "" : "empty" }, label);
  return h("li", {}, h("details", { open: depth < 1 }, h("summary", {}, label), h("ul", {}, node.children.map((c) => topicTree(slug, c, depth + 1)))));
}

function tile(title, value, sub, href) {
  return h("div", { class: "tile" }, h("div", { class: "tile-title" }, title), h("div", { class: "tile-value" }, href ? link(href, value) : value), sub ? h("div", { class: "tile-sub" }, sub) : null);
}

export async function overviewView(main, { slug }, query, { frame }) {
  frame(slug, "overview");
  const data = await get(`/s/${slug}/overview`);
  const { stats, facets } = data;
  document.title = `${slug} — overview`;
  const total = stats.records;
  const failures = data.failures;
  const verify = data.verify;
  const verifyCounts = verify ? verify.counts : {};

  const tiles = h("div", { class: "tiles" },
    tile("records", fmt(total), Object.entries(stats.kinds).map(([k, n]) => `${k} ${fmt(n)}`).join(" · "), `/s/${slug}/records`),
    tile("accepted", fmt(stats.quality.accepted), stats.quality.rejected ? `${fmt(stats.quality.rejected)} rejected` : "by every gate", stats.quality.rejected ? recordsLink(slug, { gate: "rejected" }) : null),
    failures ? tile("failed attempts", fmt(failures.attempts), `${fmt(failures.given_up)} slots given up`, `/s/${slug}/failures`) : null,
    tile("errors seen", fmt(Object.values(stats.errors).reduce((a, b) => a + b, 0)), `${Object.keys(stats.errors).length} types`),
    tile("injected faults", fmt(Object.values(stats.injected_faults).reduce((a, b) => a + b, 0)), Object.keys(stats.injected_faults).join(", ") || "none"),
    verify ? tile("verify ok", fmt(verifyCounts.ok || 0), ["mismatch", "invalid", "skipped"].filter((s) => verifyCounts[s]).map((s) => `${fmt(verifyCounts[s])} ${s}`).join(" · ") || "all records", recordsLink(slug, { verify: "ok" })) : null,
  );

  const kinds = section("Kinds", counts(stats.kinds, { total, href: (k) => recordsLink(slug, { kind: k }) }),
    Object.keys(stats.splits).length > 1 ? h("div", {}, h("h3", {}, "Splits"), counts(stats.splits, { total, href: (s) => recordsLink(slug, { split: s }) })) : null);
  const hist = section("Distributions",
    h("div", { class: "histograms" },
      histogram("tool steps per record", stats.histograms.steps),
      histogram("tool calls per record", stats.histograms.tool_calls),
      histogram("turns per record", stats.histograms.turns),
      histogram(`tokens per record`, stats.histograms.tokens)),
    h("p", { class: "muted small" }, `tokens ${stats.token_method}`));
  const errors = section("Errors by type", counts(stats.errors, { href: (e) => recordsLink(slug, { error: e }), kind: "bad" }),
    h("p", { class: "muted small" }, "failed tool calls the agent saw (error_type); a record counts once per failed call"));
  const faults = section("Injected faults", counts(stats.injected_faults, { href: (f) => recordsLink(slug, { fault: f }), kind: "warn" }));
  const tools = section("Tools called", counts(stats.tools.called, { href: (t) => recordsLink(slug, { tool: t }) }),
    h("p", { class: "muted small" }, `${Object.keys(stats.tools.offered).length} tools offered`));

  const gateValues = Object.entries(facets.gate || {}).filter(([k]) => k.includes(":"));
  const quality = section("Quality gates",
    keyValues([
      ["accepted", `${fmt(stats.quality.accepted)} (${pct(stats.quality.accepted, total)})`],
      ["rejected in the dataset", fmt(stats.quality.rejected)],
    ]),
    gateValues.length ? counts(Object.fromEntries(gateValues), { href: (g) => recordsLink(slug, { gate: g }) }) : null,
    failures
      ? h("div", {}, h("h3", {}, "Top rejection reasons (failures file)"),
        counts(Object.fromEntries(failures.reasons.map((r) => [r.reason, r.attempts])), { href: (r) => `/s/${slug}/failures?reason=${encodeURIComponent(r)}`, kind: "bad" }))
      : h("p", { class: "muted" }, "no failures file next to the dataset"));

  const verifyCard = section("Verify",
    verify
      ? h("div", {}, counts(verifyCounts, { total, href: (s) => recordsLink(slug, { verify: s }) }), h("p", { class: "muted small" }, `from ${verify.report}`))
      : h("p", { class: "muted" }, "No verify report. ", h("code", {}, `tracefabric verify DATASET --json > ${data.source.path.replace(/\.jsonl$/, "")}.verify.json`), " gives every record its status here (ok / mismatch / skipped / invalid); a record's page can replay it alone."));

  const topics = stats.topics || {};
  const coverage = topics.total != null
    ? `${fmt(topics.with_samples)} of ${fmt(topics.total)} topics have records (${fmt(topics.without_samples)} without)`
    : `${fmt(topics.with_samples)} topics (no topics file found)`;
  const topicCard = section("Topics",
    h("p", {}, coverage),
    data.topics.problem ? h("p", { class: "error" }, data.topics.problem) : null,
    data.topics.tree ? h("ul", { class: "tree" }, topicTree(slug, data.topics.tree)) : h("p", { class: "muted" }, "no topics"));

  const bad = data.bad_lines.count
    ? section("Bad lines", h("p", { class: "error" }, `${fmt(data.bad_lines.count)} lines are not records (skipped)`),
      h("ul", {}, data.bad_lines.first.map((b) => h("li", {}, `${b.split === "train" ? "" : `${b.split} `}line ${b.line}: ${b.problem}`))))
    : null;

  const run = data.run;
  const header = h("div", { class: "page-head" },
    h("h1", {}, data.source.path),
    run ? h("p", {}, badge(run.status, run.status === "completed" ? "ok" : run.status === "running" ? "warn" : ""), " ", link(`/s/${slug}/run`, "run.json"),
      run.llm && run.llm.generation ? ` · ${run.llm.generation.provider} ${run.llm.generation.model}` : "",
      run.updated_at ? ` · updated ${run.updated_at}` : "") : null);

  show(main, header, tiles,
    h("div", { class: "grid" }, kinds, quality, verifyCard, errors, faults, tools),
    hist, topicCard, bad);
}
