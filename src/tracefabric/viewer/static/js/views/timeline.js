// One record as a timeline (system, user, steps with their calls, final answer), and the
// panels around it (quality and claims, task, checks, provenance). Shared by the record,
// failure and evaluation-task pages.

import { badge, fmt, foldable, h, json, keyValues, section } from "../dom.js";

function callCard(call, index) {
  const status = call.success === true ? badge("ok", "ok")
    : call.success === false ? badge(call.error_type || "error", "bad", "the call failed; the agent saw this error")
    : badge("no result", "");
  const where = call.component && call.tool && call.tool !== call.name ? h("span", { class: "muted" }, ` ${call.component}.${call.tool}`) : null;
  return h("div", { class: `call ${call.success === false ? "failed" : ""}`.trim(), dataset: { index } },
    h("div", { class: "call-head" },
      h("span", { class: "tool-name" }, call.name), where, " ", status,
      call.injected_fault ? badge(`⚡ injected: ${call.injected_fault}`, "fault", "a fault the mock tools injected on purpose") : null,
      call.invalid_arguments ? badge("invalid arguments", "warn") : null,
      call.executed === false ? badge("never executed (unknown tool)", "warn") : null,
      call.duration_ms != null ? h("span", { class: "muted small" }, ` ${call.duration_ms} ms`) : null),
    h("div", { class: "call-body" },
      h("div", { class: "label" }, "arguments"),
      call.arguments !== null && typeof call.arguments === "object" ? json(call.arguments) : h("pre", { class: "text" }, call.arguments_text),
      h("div", { class: "label" }, call.success === false ? "observation (error)" : "observation"),
      call.observation == null ? h("p", { class: "muted" }, "no tool message answers this call") : foldable(call.observation, call.success === false ? "error-text" : "")),
    h("div", { class: "call-foot muted small" }, call.id ? `call ${call.id}` : "", call.state_digest ? ` · state ${call.state_digest}` : ""));
}

function answerText(event, claims) {
  if (!event.segments) return foldable(event.text, "answer-text", 60);
  return h("div", { class: "text answer-text" },
    event.segments.map((segment) => {
      if (segment.claim == null) return segment.text;
      const claim = claims[segment.claim];
      const kind = claim.supported === true ? "supported" : claim.supported === false ? "unsupported" : "unknown";
      const title = `${kind === "unknown" ? "not judged" : kind}${claim.source ? ` — source: ${typeof claim.source === "string" ? claim.source : JSON.stringify(claim.source)}` : ""}`;
      return h("mark", { class: `claim ${kind}`, title, dataset: { claim: segment.claim } }, segment.text, h("sup", {}, String(segment.claim + 1)));
    }));
}

export function timeline(view) {
  const claims = (view.quality && view.quality.claims) || [];
  const items = view.events.map((event) => {
    switch (event.type) {
      case "system":
        return h("details", { class: "event system" }, h("summary", {}, "System prompt"), foldable(event.text));
      case "user":
        return h("div", { class: "event user" }, h("div", { class: "who" }, "User"), foldable(event.text, "", 40));
      case "step":
        return h("div", { class: "event step" },
          h("div", { class: "who" }, `Step ${event.number}`),
          event.thought ? h("p", { class: "thought" }, event.thought) : h("p", { class: "muted small" }, "no thought recorded"),
          event.calls.map((call, i) => callCard(call, i)));
      case "reasoning":
        return h("div", { class: "event reasoning" }, h("div", { class: "who" }, "Reasoning"), foldable(event.text, "", 40));
      case "answer":
        return h("div", { class: "event answer" },
          h("div", { class: "who" }, "Final answer"),
          event.thought ? h("p", { class: "thought" }, event.thought) : null,
          answerText(event, claims));
      case "tool":
        return h("div", { class: "event tool" }, h("div", { class: "who" }, "Tool message (answers no call)"), foldable(event.text));
      default:
        return h("div", { class: "event assistant" }, h("div", { class: "who" }, "Assistant"), foldable(event.text));
    }
  });
  return h("ol", { class: "timeline" }, items.map((item) => h("li", {}, item)));
}

export function summaryBadges(view, extra = []) {
  const s = view.summary;
  const q = view.quality;
  return h("div", { class: "badges" },
    s.kind ? badge(s.kind, "kind") : null,
    badge(`${fmt(s.steps ?? 0)} steps`), badge(`${fmt(s.tool_calls ?? 0)} calls`),
    (s.errors_seen || []).map((e) => badge(e, "bad", "a failed tool call the agent saw")),
    (s.injected_faults || []).map((f) => badge(`⚡ ${f}`, "fault", "an injected fault")),
    s.invalid_arguments ? badge(`${s.invalid_arguments} invalid arguments`, "warn") : null,
    q && q.accepted === false ? badge("rejected", "bad") : null,
    q && q.accepted === true ? badge("accepted", "ok") : null,
    q && q.judge_score != null ? badge(`judge ${q.judge_score}`, "kind") : null,
    extra);
}

export function qualityPanel(view) {
  const q = view.quality;
  if (!q) return null;
  const gates = q.gates.length
    ? h("table", { class: "list gates" },
      h("thead", {}, h("tr", {}, ["gate", "result", "reason", "score"].map((t) => h("th", {}, t)))),
      h("tbody", {}, q.gates.map((g) => h("tr", {},
        h("td", {}, g.name),
        h("td", {}, g.passed === true ? badge("passed", "ok") : g.passed === false ? badge("failed", "bad") : badge("?")),
        h("td", {}, g.reason || ""),
        h("td", { class: "num" }, g.score ?? "")))))
    : null;
  const claims = q.claims.length
    ? h("div", {}, h("h3", {}, "Grounding claims"),
      h("ol", { class: "claims" }, q.claims.map((c) => h("li", { class: c.supported === true ? "supported" : c.supported === false ? "unsupported" : "unknown" },
        c.supported === true ? badge("supported", "ok") : c.supported === false ? badge("unsupported", "bad") : badge("not judged"),
        " ", c.text,
        c.source ? h("div", { class: "muted small" }, `source: ${typeof c.source === "string" ? c.source : JSON.stringify(c.source)}`) : null,
        c.located === false ? h("div", { class: "muted small" }, "(not found word for word in the answer)") : null))))
    : null;
  const other = Object.keys(q.other || {}).length ? json(q.other) : null;
  return section("Quality",
    q.accepted === false ? h("p", {}, badge("rejected", "bad")) : q.accepted === true ? h("p", {}, badge("accepted", "ok")) : null,
    gates, q.judge ? keyValues(Object.entries(q.judge).map(([k, v]) => [`judge ${k}`, v])) : null, claims, other);
}

export function taskPanel(view) {
  const t = view.task;
  if (!t) return null;
  return section("Task",
    t.criteria.length ? h("ul", { class: "criteria" }, t.criteria.map((c) => h("li", {}, c.met === true ? "✔ " : c.met === false ? "✘ " : "• ", c.text))) : null,
    Object.keys(t.fields).length ? keyValues(Object.entries(t.fields)) : null);
}

export function checksPanel(view, verify) {
  const parts = [];
  if (view.agreement) {
    parts.push(view.agreement.length
      ? h("div", {}, badge(`${view.agreement.length} disagreement(s)`, "bad"), " messages vs trace",
        h("ul", { class: "problems" }, view.agreement.map((p) => h("li", {}, `${p.where}: ${p.what}`, p.expected != null ? h("div", { class: "muted small" }, `expected ${JSON.stringify(p.expected)}, found ${JSON.stringify(p.found)}`) : null))))
      : h("p", {}, badge("agree", "ok"), " every tool message is what its traced call returned"));
  } else {
    parts.push(h("p", { class: "muted" }, "no trace: nothing to check the messages against"));
  }
  if (verify) {
    parts.push(h("p", {}, "verify report: ", badge(verify.status, verify.status === "ok" ? "ok" : verify.status === "skipped" ? "" : "bad"), " ", verify.detail || ""));
  }
  return section("Checks", parts);
}

export function provenancePanel(view) {
  const p = view.provenance;
  return section("Provenance",
    keyValues([["sample", view.summary.sample_id], ["topic", (view.summary.topic_path || []).join(" › ")], ...Object.entries(p.metadata)]),
    p.trace ? h("details", {}, h("summary", {}, "trace"), json(p.trace)) : null,
    view.tools.length ? h("details", {}, h("summary", {}, `${view.tools.length} tools offered`),
      h("ul", { class: "tools" }, view.tools.map((t) => h("li", {}, h("code", {}, t.name), t.description ? ` — ${t.description}` : "")))) : null);
}

export function rawPanel(record) {
  return h("details", { class: "card raw", id: "raw" }, h("summary", {}, "Raw JSON"), json(record));
}
