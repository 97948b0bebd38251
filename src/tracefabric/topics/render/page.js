// Topic tree/graph viewer: layout, folding, search, pan and zoom. No dependencies.
window.addEventListener("error", function (event) {
  document.body.dataset.status = "error: " + event.message;
});
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const ROW = 22, CHAR = 7, GAP = 36, MARGIN = 16, MAX_LABEL = 48;

  const data = JSON.parse(document.getElementById("topic-data").textContent);
  const nodes = new Map();
  data.nodes.forEach(function (n) { nodes.set(n.id, n); });
  const root = nodes.get(data.root);
  const folded = new Set();
  let hits = new Set();
  let selected = null;

  const canvas = document.getElementById("canvas");
  const viewport = document.getElementById("viewport");
  const info = document.getElementById("info");
  let view = { x: 0, y: 0, k: 1 };

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function label(n) {
    const text = n.t.replace(/\s+/g, " ").trim();
    return text.length <= MAX_LABEL ? text : text.slice(0, MAX_LABEL - 1).trimEnd() + "\u2026";
  }

  function shown(n) { return folded.has(n.id) ? [] : n.c; }

  function pathOf(n) {
    const path = [];
    for (let cur = n; cur; cur = cur.pp === null ? null : nodes.get(cur.pp)) path.unshift(cur);
    return path;
  }

  function curve(x1, y1, x2, y2) {
    const m = (x1 + x2) / 2;
    return "M" + x1 + "," + y1 + " C" + m + "," + y1 + " " + m + "," + y2 + " " + x2 + "," + y2;
  }

  function layout() {
    const order = [];
    const stack = [root];
    while (stack.length) {
      const n = stack.pop();
      order.push(n);
      const kids = shown(n);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(nodes.get(kids[i]));
    }
    const width = [];
    order.forEach(function (n) { width[n.d] = Math.max(width[n.d] || 0, label(n).length * CHAR); });
    const colX = [MARGIN];
    for (let d = 1; d < width.length; d++) colX[d] = colX[d - 1] + width[d - 1] + 10 + GAP;
    const pos = new Map();
    let row = 0;
    const post = [[root, false]];
    while (post.length) {
      const item = post.pop();
      const n = item[0], kids = shown(n);
      if (!kids.length) {
        pos.set(n.id, { x: colX[n.d], y: MARGIN + row * ROW });
        row += 1;
      } else if (!item[1]) {
        post.push([n, true]);
        for (let i = kids.length - 1; i >= 0; i--) post.push([nodes.get(kids[i]), false]);
      } else {
        const a = pos.get(kids[0]).y, b = pos.get(kids[kids.length - 1]).y;
        pos.set(n.id, { x: colX[n.d], y: (a + b) / 2 });
      }
    }
    return { order: order, pos: pos };
  }

  function draw() {
    const placed = layout();
    const pos = placed.pos;
    while (viewport.firstChild) viewport.removeChild(viewport.firstChild);
    const edges = el("g", { "class": "edges" }, viewport);
    const links = el("g", { "class": "links" }, viewport);
    const layer = el("g", { "class": "nodes" }, viewport);
    const out = function (n) { return [pos.get(n.id).x + 10 + label(n).length * CHAR, pos.get(n.id).y]; };
    let linkCount = 0;
    placed.order.forEach(function (n) {
      const p = pos.get(n.id);
      if (!folded.has(n.id)) {
        n.c.forEach(function (id) {
          const c = pos.get(id), a = out(n);
          el("path", { "class": "edge", d: curve(a[0], a[1], c.x - 5, c.y) }, edges);
        });
        n.l.forEach(function (id) {
          const c = pos.get(id);
          if (!c) return;
          const a = out(n);
          el("path", { "class": "link", d: curve(a[0], a[1], c.x - 5, c.y) }, links);
          linkCount += 1;
        });
      }
      const classes = ["node"];
      if (n.id === root.id) classes.push("root");
      if (!n.c.length && !n.l.length) classes.push("leaf");
      if (n.f) classes.push("failed");
      if (folded.has(n.id) && (n.c.length || n.l.length)) classes.push("folded");
      if (hits.has(n.id)) classes.push("hit");
      if (selected === n.id) classes.push("selected");
      const g = el("g", {
        "class": classes.join(" "), "data-id": n.id, "data-topic-id": n.tid,
        transform: "translate(" + p.x + "," + p.y + ")"
      }, layer);
      if (hits.has(n.id)) el("rect", { "class": "hit-bg", x: 6, y: -9, width: label(n).length * CHAR + 8, height: 18, rx: 3 }, g);
      el("circle", { r: 4.5 }, g);
      const text = el("text", { "class": "label", x: 10, dy: "0.35em" }, g);
      text.textContent = label(n);
      if (folded.has(n.id) && n.c.length) {
        const badge = el("text", { "class": "badge", x: 14 + label(n).length * CHAR, dy: "0.35em" }, g);
        badge.textContent = "+" + n.c.length;
      }
      const title = el("title", {}, g);
      title.textContent = pathOf(n).map(function (x) { return x.t; }).join(" > ");
    });
    document.body.dataset.visibleNodes = String(placed.order.length);
    document.body.dataset.visibleLinks = String(linkCount);
  }

  function foldBelow(level) {
    folded.clear();
    nodes.forEach(function (n) { if (n.d >= level && n.c.length) folded.add(n.id); });
  }

  function describe(n) {
    const path = pathOf(n);
    const parts = ["<h2></h2><ol></ol><p>topic id <code></code><br>node ", String(n.id), " \u00b7 level ", String(n.d),
      " \u00b7 ", n.c.length ? n.c.length + " subtopics" : "leaf (a topic)", "</p>"];
    info.innerHTML = parts.join("");
    info.querySelector("h2").textContent = n.t;
    const list = info.querySelector("ol");
    path.forEach(function (x) { const li = document.createElement("li"); li.textContent = x.t; list.appendChild(li); });
    info.querySelector("code").textContent = n.tid;
    const also = [];
    nodes.forEach(function (m) { if (m.l.indexOf(n.id) >= 0) also.push(m.t); });
    if (also.length) {
      const p = document.createElement("p");
      p.textContent = "Also under (cross-links): " + also.join("; ");
      info.appendChild(p);
    }
    if (n.f) {
      const p = document.createElement("p");
      p.textContent = "Expansion failed: " + n.f;
      info.appendChild(p);
    }
  }

  function nodeOf(event) {
    const g = event.target.closest ? event.target.closest(".node") : null;
    return g ? nodes.get(Number(g.getAttribute("data-id"))) : null;
  }

  function apply() { viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }

  function fit() {
    const box = viewport.getBBox();
    const w = canvas.clientWidth || 800, h = canvas.clientHeight || 600;
    if (!box.width || !box.height) return;
    view.k = Math.min(1.5, Math.max(0.05, Math.min(w / (box.width + 32), h / (box.height + 32))));
    view.x = (w - box.width * view.k) / 2 - box.x * view.k;
    view.y = 16 - box.y * view.k;
    apply();
  }

  canvas.addEventListener("mouseover", function (event) { const n = nodeOf(event); if (n) describe(n); });
  canvas.addEventListener("click", function (event) {
    const n = nodeOf(event);
    if (!n) return;
    selected = n.id;
    if (n.c.length) { if (folded.has(n.id)) folded.delete(n.id); else folded.add(n.id); }
    draw();
    describe(n);
  });
  let drag = null;
  canvas.addEventListener("mousedown", function (event) {
    if (nodeOf(event)) return;
    drag = { x: event.clientX - view.x, y: event.clientY - view.y };
    canvas.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (event) {
    if (!drag) return;
    view.x = event.clientX - drag.x;
    view.y = event.clientY - drag.y;
    apply();
  });
  window.addEventListener("mouseup", function () { drag = null; canvas.classList.remove("dragging"); });
  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const mx = event.clientX - rect.left, my = event.clientY - rect.top;
    const k = Math.min(4, Math.max(0.05, view.k * Math.exp(-event.deltaY * 0.0015)));
    view.x = mx - (mx - view.x) * (k / view.k);
    view.y = my - (my - view.y) * (k / view.k);
    view.k = k;
    apply();
  }, { passive: false });

  document.getElementById("search").addEventListener("input", function (event) {
    const query = event.target.value.trim().toLowerCase();
    hits = new Set();
    if (query) {
      nodes.forEach(function (n) {
        if (n.t.toLowerCase().indexOf(query) < 0) return;
        hits.add(n.id);
        pathOf(n).slice(0, -1).forEach(function (a) { folded.delete(a.id); });
      });
    }
    document.getElementById("matches").textContent = query ? hits.size + " found" : "";
    draw();
  });
  document.getElementById("expand-all").addEventListener("click", function () { folded.clear(); draw(); fit(); });
  document.getElementById("collapse-all").addEventListener("click", function () { foldBelow(1); draw(); fit(); });
  document.getElementById("fit").addEventListener("click", fit);

  const s = data.summary;
  document.getElementById("summary").textContent = s.mode + " \u00b7 " + s.topics + " topics \u00b7 " + s.nodes +
    " nodes \u00b7 depth " + s.depth + (s.links ? " \u00b7 " + s.links + " cross-links" : "") +
    (s.failed ? " \u00b7 " + s.failed + " failed" : "");

  if (data.openLevels !== null) foldBelow(data.openLevels);
  draw();
  fit();
  document.body.dataset.status = "ready";
})();
