// All sources this viewer was started with.

import { fmt, h, link, show } from "../dom.js";

export async function homeView(main, params, query, { frame, state, home }) {
  frame(null, null);
  document.title = "tracefabric view";
  const rows = state.sources.map((s) =>
    h("tr", {},
      h("td", {}, link(home(s), s.slug)),
      h("td", {}, s.kind),
      h("td", { class: "num" }, s.kind === "dataset" ? fmt(s.records) : ""),
      h("td", { class: "path" }, s.path),
      h("td", {}, (s.notes || []).join("; ")),
    ),
  );
  show(main, 
    h("h1", {}, "Sources"),
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["name", "kind", "records", "path", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows)),
  );
}
