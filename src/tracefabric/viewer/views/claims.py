"""Where each grounding claim sits in the final answer, as segments the page can colour.

A claim is located by its exact text first, then ignoring case and differences in
whitespace; a claim found nowhere (the checker paraphrased it) is listed but not marked.
Spans never overlap: a later claim that would overlap an earlier one's span is not marked.
The answer comes back as `[{text, claim}]` segments (`claim`: the claim's index or None),
so the browser never has to convert character offsets.
"""

from __future__ import annotations

import re
from typing import Any


def _find(answer: str, text: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    candidates: list[tuple[int, int]] = []
    start = answer.find(text)
    while start >= 0:
        candidates.append((start, start + len(text)))
        start = answer.find(text, start + 1)
    if not candidates:
        words = text.split()
        if not words:
            return None
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
        candidates = [(m.start(), m.end()) for m in pattern.finditer(answer)]
    for span in candidates:
        if all(span[1] <= a or span[0] >= b for a, b in taken):
            return span
    return None


def locate_claims(answer: str, claims: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[bool]]:
    """(segments of `answer`, whether each claim was located)."""
    spans: list[tuple[int, int, int]] = []
    located = []
    for index, claim in enumerate(claims):
        span = _find(answer, str(claim.get("text", "")).strip(), [(a, b) for a, b, _ in spans])
        located.append(span is not None)
        if span is not None:
            spans.append((span[0], span[1], index))
    spans.sort()
    segments: list[dict[str, Any]] = []
    position = 0
    for start, end, index in spans:
        if start > position:
            segments.append({"text": answer[position:start], "claim": None})
        segments.append({"text": answer[start:end], "claim": index})
        position = end
    if position < len(answer) or not segments:
        segments.append({"text": answer[position:], "claim": None})
    return segments, located
