"""Expansion prompts and answer schemas. Answers stay tiny: lists of short strings.

The prompt shows the node's path (to stay narrower than the parent), the root prompt (to
stay in the domain), the node's siblings (to stay inside the node's own scope) and what
is already taken (to stay distinct). Graph mode, cross-linked, also shows the graph so far
(trimmed to `context_chars`) and lets the model name existing deeper topics that belong
under the node as well; those become cross-links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, create_model, field_validator

from tracefabric.llm import Message

DEFAULT_SYSTEM_PROMPT = (
    "You build topic taxonomies for generating training data. Every subtopic you give is "
    "specific, stays inside the given domain, and differs clearly from the others. "
    "You answer with JSON only."
)

TopicText = Annotated[str, StringConstraints(min_length=1, max_length=160)]


@lru_cache(maxsize=64)
def answer_model(count: int, links: int) -> type[BaseModel]:
    """`{"subtopics": [...]}` (+ `"related": [...]` for cross-linked graphs).

    A few extra items are allowed: they replace answers dropped as duplicates. The schema
    caps the list (constrained decoding stops there); longer answers are cut, not refused.
    """
    cap = count + max(2, count // 2)

    def cut(limit: int) -> Any:
        def validator(cls: type[BaseModel], value: Any) -> Any:
            return value[:limit] if isinstance(value, list) else value

        return classmethod(validator)

    fields: dict[str, Any] = {"subtopics": (list[TopicText], Field(min_length=1, max_length=cap))}
    validators: dict[str, Any] = {"cut_subtopics": field_validator("subtopics", mode="before")(cut(cap))}
    if links:
        fields["related"] = (list[TopicText], Field(default_factory=list, max_length=links))
        validators["cut_related"] = field_validator("related", mode="before")(cut(links))
    name = "LinkedSubtopicsAnswer" if links else "SubtopicsAnswer"
    return create_model(name, __validators__=validators, **fields)


@dataclass
class ExpansionRequest:
    """Everything a prompt for one node needs; built by the builder from the structure."""

    root: str
    path: tuple[str, ...]
    count: int
    siblings: list[str] = field(default_factory=list)  # the node's own siblings
    chosen: list[str] = field(default_factory=list)  # subtopics already accepted for it
    rejected: list[str] = field(default_factory=list)  # proposals dropped as duplicates
    graph_outline: list[str] = field(default_factory=list)  # cross-linked: the graph so far
    graph_hidden: int = 0  # topics left out of the outline to fit the context
    link_candidates: list[str] = field(default_factory=list)
    max_links: int = 0


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _inline(items: list[str], limit: int = 80) -> str:
    # One line, not a bullet list: small models copy bullet lists into their answers.
    return "; ".join(_short(item, limit) for item in items)


EXAMPLE = (
    'Example answer for the topic "Strings" in the domain "Python programming":\n'
    '{"subtopics": ["String formatting with f-strings", "Splitting and joining strings", '
    '"Unicode text encodings"]}'
)
EXAMPLE_LINKED = (
    'Example answer for the topic "Strings" in the domain "Python programming":\n'
    '{"subtopics": ["String formatting with f-strings", "Splitting and joining strings", '
    '"Unicode text encodings"], "related": []}'
)


def build_messages(
    request: ExpansionRequest, system_prompt: str = "", instructions: str = ""
) -> list[Message]:
    node = _short(request.path[-1], 80)
    lines: list[str] = [f"Domain: {request.root.strip()}"]
    if len(request.path) == 1:
        lines += ["", f"List {request.count} main subtopics of this domain: distinct areas of it."]
    else:
        lines.append("Topic path: " + " > ".join(_short(p, 60) for p in request.path[1:]))
        lines += [
            "",
            f'List {request.count} subtopics of "{node}": specific parts of "{node}" within the domain.',
        ]
    avoid = [*request.siblings[:20], *request.chosen, *request.rejected[-20:]]
    if len(request.path) > 1:
        lines.append(f'Do not repeat "{node}" itself.')
    if avoid:
        lines.append(f"Do not use these names, they exist already: {_inline(avoid)}.")
    if request.graph_outline:
        more = f" (and {request.graph_hidden} more)" if request.graph_hidden else ""
        lines.append(f"Other topics in the graph, also taken: {_inline(request.graph_outline)}{more}.")
    lines.append("Each subtopic is 2 to 8 words, specific, and clearly different from the others.")
    if request.link_candidates and request.max_links:
        lines += [
            "",
            f'These existing topics might also belong under "{node}": {_inline(request.link_candidates)}.',
            f'Put in "related" up to {request.max_links} of them, copied exactly, that truly belong under '
            f'"{node}"; otherwise leave "related" empty.',
        ]
    if instructions.strip():
        lines += ["", instructions.strip()]
    lines += [
        "",
        EXAMPLE_LINKED if request.max_links else EXAMPLE,
        "",
        f'Now answer for "{node}" with JSON only.',
    ]
    return [
        {"role": "system", "content": system_prompt.strip() or DEFAULT_SYSTEM_PROMPT},
        {"role": "user", "content": "\n".join(lines)},
    ]
