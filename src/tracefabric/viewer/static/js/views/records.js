// The records list: server-side filters, search and paging; keyboard navigation.

import { get } from "../api.js";
import { badge, fmt, h, link, show } from "../dom.js";
import { setLocal } from "../keys.js";
import { go } from "../router.js";

export const FACETS = [
  ["kind", "kind"],
  ["tool", "tool called"],
  ["error", "error type"],
  ["fault", "injected fault"],
  ["gate", "gate result"],
  ["verify", "verify status"],
];
const SORTS = [
  ["line", "file order"],
  ["-line", "file order, last first"],
  ["-steps", "most steps"],
  ["-tool_calls", "most tool calls"],
  ["-errors", "most errors"],
  ["judge", "lowest judge score"],
  ["-judge", "highest judge score"],
];
const PAGE = 50;
const FILTER_KEYS = new Set([...FACETS.map(([k]) => k), "topic", "q", "judge_min", "judge_max", "split", "sort"]);

// The list's filters as a query string (what the record view carries along).
export function filterParams(query) {
  const params = new URLSearchParams();
  for (const [k, v] of query) if (FILTER_KEYS.has(k)) params.append(k, v);
  return params;
}

function withParams(slug, params) {
  const text = params.toString();
  return `/s/${slug}/records${text ? `?${text}` : ""}`;
}

function facetSelect(slug, query, name, label, values) {
  const current = query.getAll(name);
  const select = h("select", { "aria-label": label, name, class: current.length ? "active" : "" },
    h("option", { value: "" }, `${label}: any`),
    Object.entries(values || {}).map(([value, n]) => h("option", { value, selected: current.includes(value) }, `${label}: ${value} (${fmt(n)})`)));
  select.addEventListener("change", () => {
    const params = new URLSearchParams(query);
    params.delete(name);
    params.delete("offset");
    if (select.value) params.append(name, select.value);
    go(withParams(slug, params));
  });
  return select;
}

function chips(slug, query, topics) {
  const list = [];
  for (const [name, value] of query) {
    if (!FILTER_KEYS.has(name) || name === "sort") continue;
    const shown = name === "topic" ? (topics[value] || [value]).slice(1).join(" › ") || value : value;
    const params = new URLSearchParams([...query].filter(([k, v]) => !(k === name && v === value)));
    params.delete("offset");
    list.push(h("span", { class: "chip" }, `${name}: ${shown} `, link(withParams(slug, params), "×")));
  }
  if (list.length > 1) list.push(link(`/s/${slug}/records`, "clear all"));
  return list.length ? h("div", { class: "chips" }, list) : null;
}

function row(slug, item, filters) {
  const href = `/s/${slug}/records/${encodeURIComponent(item.key)}${filters.toString() ? `?${filters}` : ""}`;
  return h("tr", { dataset: { key: item.key, href } },
    h("td", { class: "num" }, link(href, item.key)),
    h("td", {}, item.kind),
    h("td", { class: "topic" }, item.topic),
    h("td", { class: "question" }, item.question),
    h("td", { class: "num" }, fmt(item.steps)),
    h("td", { class: "num" }, fmt(item.tool_calls)),
    h("td", { class: "num" }, item.errors ? badge(fmt(item.errors), "bad") : "0"),
    h("td", { class: "num" }, item.faults ? badge(`⚡ ${fmt(item.faults)}`, "fault") : ""),
    h("td", {}, item.accepted ? "" : badge("rejected", "bad")),
    h("td", { class: "num" }, item.judge == null ? "" : item.judge));
}

export async function recordsView(main, { slug }, query, { frame, sourceOf }) {
  frame(slug, "records");
  const offset = Number(query.get("offset") || 0);
  const filters = filterParams(query);
  const listParams = new URLSearchParams(filters);
  listParams.set("offset", offset);
  listParams.set("limit", PAGE);
  const topicParams = new URLSearchParams(query.getAll("topic").map((t) => ["topic", t]));
  const [page, menus] = await Promise.all([get(`/s/${slug}/records`, listParams), get(`/s/${slug}/facets`, topicParams)]);
  document.title = `${slug} — records`;

  const sort = h("select", { "aria-label": "Sort", name: "sort" }, SORTS.map(([v, label]) => h("option", { value: v, selected: (query.get("sort") || "line") === v }, label)));
  sort.addEventListener("change", () => {
    const params = new URLSearchParams(query);
    params.delete("offset");
    if (sort.value === "line") params.delete("sort"); else params.set("sort", sort.value);
    go(withParams(slug, params));
  });
  const judge = menus.judge.count
    ? h("form", { class: "judge", onsubmit: (event) => {
        event.preventDefault();
        const params = new URLSearchParams(query);
        params.delete("offset");
        for (const name of ["judge_min", "judge_max"]) {
          const value = event.target.elements[name].value.trim();
          if (value) params.set(name, value); else params.delete(name);
        }
        go(withParams(slug, params));
      } },
      h("label", {}, "judge ", h("input", { name: "judge_min", type: "number", step: "any", placeholder: `${menus.judge.min}`, value: query.get("judge_min") || "" })),
      h("label", {}, " – ", h("input", { name: "judge_max", type: "number", step: "any", placeholder: `${menus.judge.max}`, value: query.get("judge_max") || "" })),
      h("button", { type: "submit" }, "apply"))
    : null;

  const splits = (sourceOf(slug) || {}).splits || [];
  const splitSelect = splits.length > 1
    ? facetSelect(slug, query, "split", "split", Object.fromEntries(splits.map((name) => [name, menus.splits[name] || 0])))
    : null;
  const bar = h("div", { class: "filters" },
    splitSelect,
    FACETS.filter(([name]) => Object.keys(menus.facets[name] || {}).length || query.has(name))
      .map(([name, label]) => facetSelect(slug, query, name, label, menus.facets[name])),
    judge, sort);

  const pages = Math.max(1, Math.ceil(page.total / PAGE));
  const current = Math.floor(offset / PAGE) + 1;
  const pageLink = (to, label) => {
    const params = new URLSearchParams(query);
    if (to) params.set("offset", to); else params.delete("offset");
    return link(withParams(slug, params), label);
  };
  const pager = h("div", { class: "pager" },
    h("span", { class: "muted" }, `${fmt(page.total)} records${page.total ? ` · ${fmt(offset + 1)}–${fmt(Math.min(offset + PAGE, page.total))}` : ""} · page ${fmt(current)} of ${fmt(pages)}`),
    offset > 0 ? pageLink(Math.max(0, offset - PAGE), "‹ previous") : null,
    offset + PAGE < page.total ? pageLink(offset + PAGE, "next ›") : null);

  const body = h("tbody", {}, page.items.map((item) => row(slug, item, filters)));
  const table = h("table", { class: "list records" },
    h("thead", {}, h("tr", {}, ["line", "kind", "topic", "request", "steps", "calls", "errors", "faults", "gate", "judge"].map((t) => h("th", {}, t)))),
    body);
  body.addEventListener("click", (event) => {
    const tr = event.target.closest("tr");
    if (tr && !event.target.closest("a")) open(tr);
  });

  show(main, 
    h("div", { class: "page-head" }, h("h1", {}, "Records"), chips(slug, query, menus.topics)),
    bar, pager,
    page.items.length ? table : h("p", { class: "empty" }, "No record matches these filters."),
    page.items.length > 20 ? pager.cloneNode(true) : null);

  // Keyboard: j/k move, Enter opens, n/p turn pages. The last opened row stays selected.
  const rows = [...body.querySelectorAll("tr")];
  const remembered = sessionStorage.getItem(`tf-last:${slug}`);
  let selected = Math.max(0, rows.findIndex((r) => r.dataset.key === remembered));
  const select = (index) => {
    if (!rows.length) return;
    rows[selected]?.classList.remove("selected");
    selected = Math.min(rows.length - 1, Math.max(0, index));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({ block: "nearest" });
  };
  function open(tr) {
    sessionStorage.setItem(`tf-last:${slug}`, tr.dataset.key);
    go(tr.dataset.href);
  }
  if (rows.length) rows[selected].classList.add("selected");
  const turn = (delta) => {
    const to = offset + delta * PAGE;
    if (to < 0 || to >= page.total) return;
    const params = new URLSearchParams(query);
    if (to) params.set("offset", to); else params.delete("offset");
    go(withParams(slug, params));
  };
  setLocal({
    j: { help: "next record", action: () => select(selected + 1) },
    ArrowDown: { help: "next record", action: () => select(selected + 1) },
    k: { help: "previous record", action: () => select(selected - 1) },
    ArrowUp: { help: "previous record", action: () => select(selected - 1) },
    Enter: { help: "open the record", action: () => rows[selected] && open(rows[selected]) },
    o: { help: "open the record", action: () => rows[selected] && open(rows[selected]) },
    n: { help: "next page", action: () => turn(1) },
    ArrowRight: { help: "next page", action: () => turn(1) },
    p: { help: "previous page", action: () => turn(-1) },
    ArrowLeft: { help: "previous page", action: () => turn(-1) },
  });
}
