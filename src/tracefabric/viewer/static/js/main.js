// The viewer's page: header, routes, live status, keyboard help.

import { get } from "./api.js";
import { clear, h, link, show } from "./dom.js";
import { helpEntries, setGlobal, setLocal } from "./keys.js";
import { dispatch, go, route, start } from "./router.js";
import { evaluationView, taskView } from "./views/evaluation.js";
import { failureView, failuresView } from "./views/failures.js";
import { homeView } from "./views/home.js";
import { overviewView } from "./views/overview.js";
import { recordView } from "./views/record.js";
import { recordsView } from "./views/records.js";
import { runView } from "./views/run.js";

const main = document.getElementById("main");
const state = { sources: [], current: null, watch: null, seen: null };

route("/", homeView);
route("/s/:slug", overviewView);
route("/s/:slug/records", recordsView);
route("/s/:slug/records/:key", recordView);
route("/s/:slug/failures", failuresView);
route("/s/:slug/failures/:line", failureView);
route("/s/:slug/run", runView);
route("/e/:slug", evaluationView);
route("/e/:slug/tasks/:task", taskView);

function sourceOf(slug) {
  return state.sources.find((s) => s.slug === slug) || null;
}

function tabs(source, active) {
  const nav = clear(document.getElementById("tabs"));
  if (state.sources.length > 1) {
    const select = h("select", { "aria-label": "Source", class: "source-select" });
    for (const s of state.sources) {
      select.append(h("option", { value: s.slug, selected: source && s.slug === source.slug }, `${s.slug} (${s.kind})`));
    }
    if (!source) select.prepend(h("option", { value: "", selected: true }, "all sources"));
    select.addEventListener("change", () => {
      const s = sourceOf(select.value);
      go(s ? home(s) : "/");
    });
    nav.append(select);
  }
  if (!source) return;
  const items = [];
  if (source.kind === "dataset") {
    items.push(["overview", `/s/${source.slug}`, "Overview"], ["records", `/s/${source.slug}/records`, "Records"]);
    if (source.failures) items.push(["failures", `/s/${source.slug}/failures`, "Failures"]);
    if (source.run) items.push(["run", `/s/${source.slug}/run`, "Run"]);
  } else if (source.kind === "failures") {
    items.push(["failures", `/s/${source.slug}/failures`, "Failures"]);
  } else if (source.kind === "run") {
    items.push(["run", `/s/${source.slug}/run`, "Run"]);
  } else if (source.kind === "evaluation") {
    items.push(["evaluation", `/e/${source.slug}`, "Evaluation"]);
  }
  for (const [name, href, label] of items) {
    nav.append(link(href, label));
    if (name === active) nav.lastChild.classList.add("active");
  }
}

export function home(source) {
  return source.home;
}

// Views call this with their source and tab, then render into `main`.
export function frame(slug, active) {
  const source = slug ? sourceOf(slug) : null;
  state.current = source;
  tabs(source, active);
  const form = document.getElementById("search");
  form.hidden = !(source && source.kind === "dataset");
  if (source && source.kind === "dataset") {
    const params = new URLSearchParams(location.search);
    const input = document.getElementById("search-input");
    if (document.activeElement !== input) input.value = active === "records" ? params.get("q") || "" : "";
  }
  watch(source);
  return source;
}

function watch(source) {
  const live = document.getElementById("live");
  if (state.watch && state.watch.slug === (source && source.slug)) return;
  clearInterval(state.watch && state.watch.timer);
  clear(live);
  state.watch = null;
  if (!source || source.kind !== "dataset") return;
  const seen = source.records;
  const timer = setInterval(async () => {
    try {
      const now = await get(`/s/${source.slug}/status`);
      clear(live);
      if (now.records !== seen) {
        const grown = now.records - seen;
        live.append(
          h("button", { type: "button", class: "live", onclick: () => { source.records = now.records; state.watch = null; dispatch(); } },
            `${grown > 0 ? "+" : ""}${grown.toLocaleString("en-US")} records — refresh`),
        );
      }
    } catch (error) {
      live.textContent = "viewer stopped?";
    }
  }, 3000);
  state.watch = { slug: source.slug, timer };
}

function showHelp() {
  const box = document.getElementById("help");
  clear(box);
  box.append(
    h("div", { class: "help-box", role: "dialog", "aria-label": "Keyboard shortcuts" },
      h("h2", {}, "Keyboard"),
      h("table", {}, h("tbody", {}, helpEntries().map(([k, text]) => h("tr", {}, h("th", {}, h("kbd", {}, k)), h("td", {}, text))))),
      h("p", { class: "muted" }, "Esc closes this."),
    ),
  );
  box.hidden = false;
}

async function render(view, params, query) {
  setLocal({});
  document.getElementById("help").hidden = true;
  if (!view) {
    show(main, h("p", { class: "error" }, "No such page."), link("/", "All sources"));
    return;
  }
  try {
    await view(main, params, query, { frame, sourceOf, state, home });
  } catch (error) {
    show(main, h("div", { class: "error" }, h("strong", {}, error.errorType || "Error"), ": ", error.message));
  }
  main.focus({ preventScroll: true });
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const source = state.current;
  if (!source || source.kind !== "dataset") return;
  const onRecords = location.pathname === `/s/${source.slug}/records`;
  const params = onRecords ? new URLSearchParams(location.search) : new URLSearchParams();
  const q = document.getElementById("search-input").value.trim();
  if (q) params.set("q", q); else params.delete("q");
  params.delete("offset");
  go(`/s/${source.slug}/records${params.toString() ? `?${params}` : ""}`);
});

document.getElementById("copy-link").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  try {
    await navigator.clipboard.writeText(location.href);
    button.textContent = "Copied";
  } catch {
    window.prompt("Copy this link:", location.href);
  }
  setTimeout(() => (button.textContent = "Copy link"), 1500);
});

setGlobal("/", "search records", () => {
  const input = document.getElementById("search-input");
  if (!document.getElementById("search").hidden) input.focus();
});
setGlobal("?", "this help", showHelp);
setGlobal("Escape", "close help", () => (document.getElementById("help").hidden = true));
setGlobal("g o", "overview", () => state.current && state.current.kind === "dataset" && go(`/s/${state.current.slug}`));
setGlobal("g r", "records", () => state.current && state.current.kind === "dataset" && go(`/s/${state.current.slug}/records`));
setGlobal("g f", "failures", () => state.current && state.current.failures && go(`/s/${state.current.slug}/failures`));
setGlobal("g h", "all sources", () => go("/"));

(async () => {
  try {
    state.sources = await get("/sources");
  } catch (error) {
    show(main, h("div", { class: "error" }, error.message));
    return;
  }
  start(render);
})();
