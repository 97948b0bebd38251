// Bars drawn with CSS (no canvas, no library): histograms and counted values.

import { fmt, h, link, pct } from "../dom.js";

export function histogram(title, data, unit = "") {
  if (!data || !data.count) return null;
  const largest = Math.max(...data.bins.map((b) => b.count), 1);
  return h("figure", { class: "histogram" },
    h("figcaption", {}, h("strong", {}, title), h("span", { class: "muted" }, ` mean ${data.mean} · p50 ${fmt(data.p50)} · p90 ${fmt(data.p90)} · max ${fmt(data.max)}${unit}`)),
    h("div", { class: "bars" },
      data.bins.map((b) =>
        h("div", { class: "bar", title: `${b.lo === b.hi ? fmt(b.lo) : `${fmt(b.lo)}–${fmt(b.hi)}`}: ${fmt(b.count)} records` },
          h("span", { class: "fill", style: { height: `${Math.max(b.count ? 2 : 0, (100 * b.count) / largest)}%` } }),
          h("span", { class: "label" }, b.lo === b.hi ? fmt(b.lo) : `${fmt(b.lo)}–${fmt(b.hi)}`))),
    ),
  );
}

// Counted values as horizontal bars; `href(value)` makes each a link (to filtered records).
export function counts(entries, { total = null, href = null, limit = 15, kind = "" } = {}) {
  const items = Object.entries(entries || {}).sort((a, b) => b[1] - a[1]);
  if (!items.length) return h("p", { class: "muted" }, "none");
  const largest = items[0][1];
  const shown = items.slice(0, limit);
  return h("table", { class: `counts ${kind}`.trim() },
    h("tbody", {},
      shown.map(([name, n]) =>
        h("tr", {},
          h("th", {}, href ? link(href(name), name) : name),
          h("td", { class: "num" }, fmt(n)),
          h("td", { class: "num muted" }, total ? pct(n, total) : ""),
          h("td", { class: "barcell" }, h("span", { class: "hbar", style: { width: `${(100 * n) / largest}%` } })))),
      items.length > limit ? h("tr", {}, h("td", { colspan: 4, class: "muted" }, `… ${items.length - limit} more`)) : null));
}
