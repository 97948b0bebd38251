// The failures file: every failed attempt with its reason; a rejected record's timeline.

import { get } from "../api.js";
import { badge, fmt, h, json, keyValues, link, section, show } from "../dom.js";
import { setLocal } from "../keys.js";
import { go } from "../router.js";
import { checksPanel, provenancePanel, qualityPanel, summaryBadges, taskPanel, timeline } from "./timeline.js";

const PAGE = 50;
const FILTERS = ["reason", "final", "has_record", "q"];

function filterParams(query) {
  return new URLSearchParams([...query].filter(([k]) => FILTERS.includes(k)));
}

function listHref(slug, params) {
  const text = params.toString();
  return `/s/${slug}/failures${text ? `?${text}` : ""}`;
}

function when(seconds) {
  return seconds ? new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) : "";
}

export async function failuresView(main, { slug }, query, { frame }) {
  frame(slug, "failures");
  const offset = Number(query.get("offset") || 0);
  const params = filterParams(query);
  params.set("offset", offset);
  params.set("limit", PAGE);
  const page = await get(`/s/${slug}/failures`, params);
  document.title = `${slug} — failures`;
  const filters = filterParams(query);
  const change = (name, value) => {
    const next = new URLSearchParams(filters);
    next.delete(name);
    if (value) next.set(name, value);
    go(listHref(slug, next));
  };
  const reason = h("select", { "aria-label": "reason", name: "reason", onchange: (e) => change("reason", e.target.value) },
    h("option", { value: "" }, "reason: any"),
    page.summary.reasons.map((r) => h("option", { value: r.reason, selected: query.get("reason") === r.reason }, `${r.reason} (${fmt(r.attempts)})`)));
  const final = h("select", { "aria-label": "outcome", name: "final", onchange: (e) => change("final", e.target.value) },
    h("option", { value: "" }, "outcome: any"),
    h("option", { value: "1", selected: query.get("final") === "1" }, "slot given up"),
    h("option", { value: "0", selected: query.get("final") === "0" }, "retried"));
  const records = h("select", { "aria-label": "record", name: "has_record", onchange: (e) => change("has_record", e.target.value) },
    h("option", { value: "" }, "record: any"),
    h("option", { value: "1", selected: query.get("has_record") === "1" }, "with the rejected record"));
  const search = h("form", { onsubmit: (e) => { e.preventDefault(); change("q", e.target.elements.q.value.trim()); } },
    h("input", { name: "q", type: "search", placeholder: "search messages, topics", value: query.get("q") || "" }));

  const summary = section("By reason",
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["reason", "attempts", "slots given up", "with record"].map((t) => h("th", {}, t)))),
      h("tbody", {}, page.summary.reasons.map((r) => h("tr", {},
        h("td", {}, link(listHref(slug, new URLSearchParams({ reason: r.reason })), r.reason)),
        h("td", { class: "num" }, fmt(r.attempts)), h("td", { class: "num" }, fmt(r.given_up)), h("td", { class: "num" }, fmt(r.records)))))));

  const suffix = filters.toString() ? `?${filters}` : "";
  const body = h("tbody", {}, page.items.map((item) =>
    h("tr", { dataset: { href: `/s/${slug}/failures/${item.line}${suffix}` } },
      h("td", { class: "num" }, link(`/s/${slug}/failures/${item.line}${suffix}`, String(item.line))),
      h("td", { class: "small" }, when(item.time)),
      h("td", {}, badge(item.reason, "bad")),
      h("td", {}, item.final ? badge("given up", "bad") : badge("retried")),
      h("td", { class: "num" }, item.attempt ?? ""),
      h("td", { class: "topic" }, item.topic),
      h("td", { class: "question" }, item.message, item.has_record ? badge("record", "kind") : null))));
  body.addEventListener("click", (event) => {
    const tr = event.target.closest("tr");
    if (tr && !event.target.closest("a")) go(tr.dataset.href);
  });
  const pageHref = (to) => {
    const next = new URLSearchParams(filters);
    if (to) next.set("offset", to);
    return listHref(slug, next);
  };
  const pager = h("div", { class: "pager" },
    h("span", { class: "muted" }, `${fmt(page.total)} failed attempts`),
    offset > 0 ? link(pageHref(Math.max(0, offset - PAGE)), "‹ previous") : null,
    offset + PAGE < page.total ? link(pageHref(offset + PAGE), "next ›") : null);

  show(main, 
    h("div", { class: "page-head" }, h("h1", {}, "Failures"), h("p", { class: "muted" }, `${fmt(page.summary.attempts)} failed attempts, ${fmt(page.summary.given_up)} slots given up`)),
    summary,
    h("div", { class: "filters" }, reason, final, records, search),
    pager,
    page.items.length
      ? h("table", { class: "list failures" }, h("thead", {}, h("tr", {}, ["line", "time", "reason", "outcome", "attempt", "topic", "message"].map((t) => h("th", {}, t)))), body)
      : h("p", { class: "empty" }, "No failed attempt matches."));

  const rows = [...body.querySelectorAll("tr")];
  let selected = 0;
  const select = (i) => {
    if (!rows.length) return;
    rows[selected].classList.remove("selected");
    selected = Math.min(rows.length - 1, Math.max(0, i));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({ block: "nearest" });
  };
  if (rows.length) rows[0].classList.add("selected");
  setLocal({
    j: { help: "next", action: () => select(selected + 1) },
    k: { help: "previous", action: () => select(selected - 1) },
    Enter: { help: "open", action: () => rows[selected] && go(rows[selected].dataset.href) },
  });
}

export async function failureView(main, { slug, line }, query, { frame }) {
  frame(slug, "failures");
  const filters = filterParams(query);
  const suffix = filters.toString() ? `?${filters}` : "";
  const data = await get(`/s/${slug}/failures/${line}`, filters);
  document.title = `${slug} — failure line ${line}`;
  const entry = data.entry || {};
  const back = listHref(slug, filters);
  const to = (n) => `/s/${slug}/failures/${n}${suffix}`;
  const near = data.neighbours;
  const nav = h("div", { class: "record-nav" }, link(back, "← failures"), " ",
    near.previous ? link(to(near.previous), "‹ previous") : null, " ", near.next ? link(to(near.next), "next ›") : null);
  const head = h("div", { class: "page-head" },
    h("h1", {}, `Failed attempt, line ${line} `, badge(entry.reason || "unknown", "bad"), " ", entry.final ? badge("slot given up", "bad") : badge("retried")),
    h("p", { class: "topic-path" }, (entry.topic_path || []).join(" › ")),
    h("pre", { class: "text error-text" }, entry.message || ""),
    keyValues([["slot", entry.slot], ["attempt", entry.attempt], ["time", when(entry.time)]]));
  let body;
  if (data.view) {
    body = h("div", { class: "record-layout" },
      h("div", { class: "record-main" }, summaryBadges(data.view), timeline(data.view)),
      h("aside", { class: "record-side" }, qualityPanel(data.view), taskPanel(data.view), checksPanel(data.view, null), provenancePanel(data.view)));
  } else if (data.raw != null) {
    body = section("What the model returned", typeof data.raw === "string" ? h("pre", { class: "text" }, data.raw) : json(data.raw));
  } else {
    body = h("p", { class: "muted" }, "Nothing else was kept for this attempt.");
  }
  show(main, nav, head, body);
  setLocal({
    j: { help: "next failure", action: () => near.next && go(to(near.next)) },
    k: { help: "previous failure", action: () => near.previous && go(to(near.previous)) },
    u: { help: "back to the list", action: () => go(back) },
    Escape: { help: "back to the list", action: () => go(back) },
  });
}
