// A run.json: how the dataset was made.

import { get } from "../api.js";
import { badge, h, json, keyValues, section, show } from "../dom.js";

export async function runView(main, { slug }, query, { frame }) {
  frame(slug, "run");
  const data = await get(`/s/${slug}/run`);
  const run = data.run || {};
  document.title = `${slug} — run`;
  const usage = run.usage || {};
  const summary = keyValues([
    ["status", badge(run.status || "?", run.status === "completed" ? "ok" : run.status === "running" ? "warn" : "")],
    ["records", run.target ? `${run.records} of ${run.target}` : run.records],
    ["stop reason", run.stop_reason],
    ["started", run.started_at],
    ["updated", run.updated_at],
    ["elapsed", run.elapsed_s != null ? `${run.elapsed_s} s (sampling ${run.sampling_s} s)` : null],
    ["resumed from", run.resumed_from],
    ["command", run.command ? h("code", {}, run.command) : null],
    ["config file", run.config_file],
    ["translated from", run.translated_from],
    ["config hash", run.config_hash],
    ["dataset", run.dataset],
    ["failures file", run.failures_file],
    ["tracefabric", run.tracefabric],
  ]);
  const llm = run.llm ? keyValues(Object.entries(run.llm).map(([k, v]) => [k, v && typeof v === "object" ? `${v.provider || ""} ${v.model || ""}`.trim() || JSON.stringify(v) : v])) : null;
  show(main, 
    h("div", { class: "page-head" }, h("h1", {}, "Run"), h("p", { class: "muted" }, data.path)),
    h("div", { class: "grid" },
      section("Summary", summary),
      llm ? section("Models", llm) : null,
      Object.keys(usage).length ? section("Usage", json(usage)) : null,
      run.failures ? section("Failures", json(run.failures)) : null,
      run.topics ? section("Topics", json(run.topics)) : null,
      run.versions ? section("Versions", keyValues(Object.entries(run.versions))) : null,
      run.notes && run.notes.length ? section("Notes", h("ul", {}, run.notes.map((n) => h("li", {}, n)))) : null),
    section("Config", json(run.config || {})));
}
