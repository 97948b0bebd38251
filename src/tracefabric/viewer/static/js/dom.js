// Building DOM nodes from data: text always goes through textContent, never innerHTML.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    // Through CSSOM: the page's CSP forbids style attributes.
    else if (key === "style") Object.assign(node.style, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : n ?? "–");

export function pct(part, total) {
  return total ? `${((100 * part) / total).toFixed(part * 1000 < total ? 2 : 1)}%` : "–";
}

export function badge(text, kind = "", title = "") {
  return h("span", { class: `badge ${kind}`.trim(), title: title || null }, text);
}

export function json(value) {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

// A link inside the app (the router intercepts clicks on [data-link]).
export function link(href, ...children) {
  return h("a", { href, "data-link": true }, ...children);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function keyValues(entries) {
  const rows = entries.filter(([, v]) => v !== undefined && v !== null && v !== "");
  return h(
    "table",
    { class: "kv" },
    h("tbody", {}, rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v instanceof Node ? v : typeof v === "object" ? JSON.stringify(v) : String(v))))),
  );
}

// Long text: shown whole up to `lines`, else folded with a button to unfold.
export function foldable(text, cls = "", lines = 18) {
  const pre = h("pre", { class: `text ${cls}`.trim() }, text ?? "");
  const count = (text || "").split("\n").length;
  if (count <= lines && (text || "").length < 4000) return pre;
  pre.classList.add("folded");
  const button = h("button", { type: "button", class: "unfold" }, `show all ${fmt(count)} lines`);
  button.addEventListener("click", () => {
    pre.classList.toggle("folded");
    button.textContent = pre.classList.contains("folded") ? `show all ${fmt(count)} lines` : "fold";
  });
  return h("div", { class: "fold" }, pre, button);
}

// Replace a node's children (arrays flattened, null/false skipped).
export function show(node, ...children) {
  return append(clear(node), children);
}
