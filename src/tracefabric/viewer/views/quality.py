"""Quality results, task and judge scores of a record, read generically.

Records carry `metadata.quality` (gate results) and may carry `metadata.task` (what the
sample was meant to achieve) and judge scores. Their exact shapes are still being settled
upstream, so everything here reads what is present and never requires a field:

- gates: `quality.gates` (or `results`) as a list of `{name|gate, passed|ok|accepted,
  reason|message, score}` or a mapping `name -> bool | {...} | reason`;
- judge score: `quality.judge.score`, `quality.judge` (a number), `quality.judge_score`,
  `quality.score`, or the `score` of a gate whose name starts with `judge`;
- grounding claims: any list of `{text, supported, source}` objects named `claims` inside
  `quality` (e.g. `quality.claims`, `quality.grounding.claims`, a gate's `claims`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_PASSED_KEYS = ("passed", "ok", "accepted", "pass")
_REASON_KEYS = ("reason", "message", "detail")
_PASS_WORDS = {"pass", "passed", "ok", "accepted", "true"}
_FAIL_WORDS = {"fail", "failed", "rejected", "false"}
_CLAIMS_DEPTH = 3


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _gate(name: str, value: Any) -> dict[str, Any]:
    gate: dict[str, Any] = {"name": name, "passed": None, "reason": None, "score": None}
    if isinstance(value, bool):
        gate["passed"] = value
    elif isinstance(value, str):
        word = value.strip().lower()
        gate["passed"] = True if word in _PASS_WORDS else False if word in _FAIL_WORDS else None
        if gate["passed"] is None:
            gate["reason"] = value
    elif isinstance(value, dict):
        gate["passed"] = next((value[k] for k in _PASSED_KEYS if isinstance(value.get(k), bool)), None)
        gate["reason"] = next((str(value[k]) for k in _REASON_KEYS if value.get(k) not in (None, "")), None)
        gate["score"] = _number(value.get("score"))
        extra = {
            k: v for k, v in value.items() if k not in {*_PASSED_KEYS, *_REASON_KEYS, "name", "gate", "score"}
        }
        if extra:
            gate["details"] = extra
    return gate


def gate_results(quality: dict[str, Any]) -> list[dict[str, Any]]:
    """Each gate as `{name, passed (bool or None), reason, score, details?}`."""
    raw = quality.get("gates", quality.get("results"))
    if isinstance(raw, list):
        gates = []
        for index, entry in enumerate(raw):
            if isinstance(entry, dict):
                name = str(entry.get("name") or entry.get("gate") or f"gate {index + 1}")
                gates.append(_gate(name, entry))
        return gates
    if isinstance(raw, dict):
        return [_gate(str(name), value) for name, value in raw.items()]
    return []


def judge_score(quality: Any) -> float | None:
    if not isinstance(quality, dict):
        return None
    judge = quality.get("judge")
    if isinstance(judge, dict):
        score = _number(judge.get("score"))
        if score is not None:
            return score
    for value in (judge, quality.get("judge_score"), quality.get("score")):
        score = _number(value)
        if score is not None:
            return score
    for gate in gate_results(quality):
        if gate["name"].lower().startswith("judge") and gate["score"] is not None:
            return gate["score"]
    return None


def _claim_lists(value: Any, depth: int) -> Iterator[list[Any]]:
    if depth > _CLAIMS_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "claims" and isinstance(item, list):
                yield item
            else:
                yield from _claim_lists(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _claim_lists(item, depth + 1)


def claims(quality: Any) -> list[dict[str, Any]]:
    """Grounding claims: `{text, supported (bool or None), source}` each, in order."""
    found: list[dict[str, Any]] = []
    for entries in _claim_lists(quality, 0):
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("text"), str) and entry["text"].strip():
                supported = entry.get("supported")
                found.append(
                    {
                        "text": entry["text"],
                        "supported": supported if isinstance(supported, bool) else None,
                        "source": entry.get("source"),
                    }
                )
            elif isinstance(entry, str) and entry.strip():
                found.append({"text": entry, "supported": None, "source": None})
    return found


def accepted(metadata: dict[str, Any]) -> bool:
    """As the statistics count it: rejected only when `quality.accepted` is false."""
    quality = metadata.get("quality")
    return not (isinstance(quality, dict) and quality.get("accepted") is False)


def quality_view(metadata: dict[str, Any]) -> dict[str, Any] | None:
    quality = metadata.get("quality")
    if not isinstance(quality, dict):
        return None
    known = {"accepted", "gates", "results", "judge", "judge_score", "score", "claims"}
    return {
        "accepted": quality.get("accepted") if isinstance(quality.get("accepted"), bool) else None,
        "gates": gate_results(quality),
        "judge_score": judge_score(quality),
        "judge": quality.get("judge") if isinstance(quality.get("judge"), dict) else None,
        "claims": claims(quality),
        "other": {k: v for k, v in quality.items() if k not in known},
    }


def task_view(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """`metadata.task`: its criteria as a checklist when it has them, the rest as fields."""
    task = metadata.get("task")
    if task is None:
        return None
    if not isinstance(task, dict):
        return {"criteria": [], "fields": {"task": task}}
    raw = task.get("success_criteria", task.get("criteria"))
    criteria = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict):
            text = entry.get("text", entry.get("criterion", entry.get("description")))
            met = next((entry[k] for k in ("met", "passed", "ok") if isinstance(entry.get(k), bool)), None)
            criteria.append({"text": str(text if text is not None else entry), "met": met})
        else:
            criteria.append({"text": str(entry), "met": None})
    fields = {k: v for k, v in task.items() if k not in ("success_criteria", "criteria")}
    return {"criteria": criteria, "fields": fields}
