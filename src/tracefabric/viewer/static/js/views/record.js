// One record: its timeline and panels, its neighbours in the filtered list, and an on-demand
// replay that shows the scenario's files and what the agent changed.

import { get, post } from "../api.js";
import { badge, fmt, h, link, section, show } from "../dom.js";
import { setLocal } from "../keys.js";
import { go } from "../router.js";
import { filterParams } from "./records.js";
import { checksPanel, provenancePanel, qualityPanel, rawPanel, summaryBadges, taskPanel, timeline } from "./timeline.js";

function changesView(result) {
  const parts = [];
  const status = result.status;
  if (status) {
    parts.push(h("p", {}, "replay: ", badge(status, status === "ok" ? "ok" : status === "skipped" ? "" : "bad"), " ", result.detail || (status === "ok" ? "every call gave the recorded response and state" : "")));
  }
  if (result.message) parts.push(h("p", { class: "muted" }, result.message));
  if (result.changes) {
    const changed = result.changes.filter((c) => c.change !== "unchanged");
    parts.push(h("h3", {}, `Files (${fmt(result.changes.length)}; ${fmt(changed.length)} changed)`));
    parts.push(h("ul", { class: "filetree" }, result.changes.map((c) =>
      h("li", { class: c.change },
        h("span", { class: "change" }, { added: "+", removed: "−", modified: "~", unchanged: " " }[c.change]), " ",
        h("code", {}, c.path), " ",
        h("span", { class: "muted small" }, c.change === "unchanged" ? "" : c.change)))));
    for (const c of changed) {
      parts.push(h("details", { class: "diff", open: changed.length <= 3 }, h("summary", {}, `${c.change}: ${c.path}`),
        h("pre", { class: "diff" }, c.diff.split("\n").map((line) => h("span", { class: line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : line.startsWith("@@") ? "hunk" : "" }, `${line}\n`))),
        c.diff_truncated ? h("p", { class: "muted small" }, "(diff cut short)") : null));
    }
  }
  return parts;
}

function workspacePanel(slug, data) {
  const body = h("div", {});
  const button = h("button", { type: "button", id: "replay" }, "Replay: scenario files and changes");
  const run = async () => {
    button.disabled = true;
    show(body, h("p", { class: "muted" }, "Replaying the record's tool calls in a fresh session…"));
    try {
      const result = await post(`/s/${slug}/records/${encodeURIComponent(data.key)}/replay`);
      show(body, changesView(result));
    } catch (error) {
      show(body, h("p", { class: "error" }, error.message));
    }
    button.disabled = false;
  };
  button.addEventListener("click", run);
  const note = data.replayable
    ? "Runs the recorded calls again, as verify does, and compares the session's files with the seed."
    : data.record.trace ? "The run's run.json is not next to the dataset: nothing to replay with." : "No trace: nothing to replay.";
  return { panel: section("Workspace", h("p", { class: "muted small" }, note), data.replayable ? button : null, body), run: data.replayable ? run : null };
}

export async function recordView(main, { slug, key }, query, { frame }) {
  frame(slug, "records");
  const filters = filterParams(query);
  const data = await get(`/s/${slug}/records/${encodeURIComponent(key)}`, filters);
  const view = data.view;
  document.title = `${slug} — record ${key}`;
  const suffix = filters.toString() ? `?${filters}` : "";
  const listHref = `/s/${slug}/records${suffix}`;
  const near = data.neighbours;
  const recordHref = (k) => `/s/${slug}/records/${encodeURIComponent(k)}${suffix}`;

  const nav = h("div", { class: "record-nav" },
    link(listHref, "← records"),
    near.position != null ? h("span", { class: "muted" }, ` ${fmt(near.position)} of ${fmt(near.total)}${filters.toString() ? " matching" : ""} `) : h("span", { class: "muted" }, " (not in the filtered list) "),
    near.previous ? link(recordHref(near.previous), "‹ previous") : null, " ",
    near.next ? link(recordHref(near.next), "next ›") : null);

  const topic = view.summary.topic_path || [];
  const workspace = workspacePanel(slug, data);
  const head = h("div", { class: "page-head" },
    h("h1", {}, `Record ${key} `, h("span", { class: "muted small" }, view.summary.sample_id || "")),
    h("p", { class: "topic-path" }, topic.join(" › ")),
    summaryBadges(view, data.verify ? [badge(`verify: ${data.verify.status}`, data.verify.status === "ok" ? "ok" : data.verify.status === "skipped" ? "" : "bad")] : []));

  show(main, nav, head,
    h("div", { class: "record-layout" },
      h("div", { class: "record-main" }, timeline(view)),
      h("aside", { class: "record-side" },
        qualityPanel(view), taskPanel(view), checksPanel(view, data.verify), workspace.panel, provenancePanel(view), rawPanel(data.record))));

  setLocal({
    j: { help: "next record", action: () => near.next && go(recordHref(near.next)) },
    k: { help: "previous record", action: () => near.previous && go(recordHref(near.previous)) },
    ArrowRight: { help: "next record", action: () => near.next && go(recordHref(near.next)) },
    ArrowLeft: { help: "previous record", action: () => near.previous && go(recordHref(near.previous)) },
    u: { help: "back to the list", action: () => go(listHref) },
    Escape: { help: "back to the list", action: () => go(listHref) },
    r: { help: "replay (files and changes)", action: () => workspace.run && workspace.run() },
    J: { help: "raw JSON", action: () => { const raw = document.getElementById("raw"); raw.open = !raw.open; if (raw.open) raw.scrollIntoView(); } },
  });
  sessionStorage.setItem(`tf-last:${slug}`, key);
}
