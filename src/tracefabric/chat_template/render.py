"""Rendering a conversation with a chat template, as transformers does, plus assistant spans.

The Jinja environment is the one `transformers.utils.chat_template_utils._compile_jinja_template`
builds (transformers 4.4x-5.x): an `ImmutableSandboxedEnvironment` with `trim_blocks` and
`lstrip_blocks`, the `loopcontrols` extension and a `{% generation %}` tag, a `raise_exception`
global, `strftime_now`, and a `tojson` filter that does not escape HTML and takes `indent`,
`separators` and `sort_keys`. The special tokens (`bos_token`, `eos_token`, ...) are passed as
variables, as `apply_chat_template` does.

Tool-call `arguments` are given to templates as objects (our records keep OpenAI's JSON text):
templates write them with `tojson`, and a string there comes out encoded twice.

Assistant spans (what a trainer learns from) come from the template's `{% generation %}`
blocks when it has them; otherwise from prefixes: the span of assistant message *i* runs from
the end of `render(messages[:i], add_generation_prompt=True)` to the end of
`render(messages[:i+1])`, both of which must be prefixes of the whole rendering. Trailing
whitespace after the end-of-turn token is left out of the span.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from .source import ChatTemplate, TemplateError


@dataclass
class Rendered:
    text: str
    assistant_spans: list[tuple[int, int]]
    span_method: str  # "generation" (the template's own blocks) or "prefix"


def template_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our messages in the shape chat templates expect: arguments as objects, no null fields,
    tool results carrying the called tool's `name` (some templates print it)."""
    names: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for message in messages:
        converted: dict[str, Any] = {"role": message["role"], "content": message.get("content") or ""}
        calls = message.get("tool_calls")
        if calls:
            converted["tool_calls"] = []
            for call in calls:
                function = call["function"]
                arguments = function.get("arguments")
                if isinstance(arguments, str):
                    arguments = json.loads(arguments) if arguments.strip() else {}
                names[call["id"]] = function["name"]
                converted["tool_calls"].append(
                    {
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": function["name"], "arguments": arguments},
                    }
                )
        if message.get("tool_call_id"):
            converted["tool_call_id"] = message["tool_call_id"]
            if message["tool_call_id"] in names:
                converted["name"] = names[message["tool_call_id"]]
        out.append(converted)
    return out


@lru_cache(maxsize=16)
def _compile(source: str) -> Any:
    import jinja2
    from jinja2.ext import Extension
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class GenerationTracker(Extension):
        """`{% generation %}...{% endgeneration %}`: records the character span it produced."""

        tags = {"generation"}  # noqa: RUF012 - jinja's API

        def __init__(self, environment: Any) -> None:
            super().__init__(environment)
            environment.extend(track_generation=self.track)
            self._blocks: list[str] | None = None
            self._spans: list[tuple[int, int]] | None = None

        def parse(self, parser: Any) -> Any:
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_generation", []), [], [], body).set_lineno(
                lineno
            )

        def _generation(self, caller: Any) -> str:
            text = caller()
            if self._blocks is not None and self._spans is not None:
                start = sum(len(block) for block in self._blocks)
                self._spans.append((start, start + len(text)))
            return text

        @contextmanager
        def track(self, blocks: list[str], spans: list[tuple[int, int]]) -> Iterator[None]:
            self._blocks, self._spans = blocks, spans
            try:
                yield
            finally:
                self._blocks = self._spans = None

    def raise_exception(message: str) -> None:
        raise jinja2.exceptions.TemplateError(message)

    def tojson(
        value: Any,
        ensure_ascii: bool = False,
        indent: Any = None,
        separators: Any = None,
        sort_keys: bool = False,
    ) -> str:
        return json.dumps(
            value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
        )

    def strftime_now(fmt: str) -> str:
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTracker, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    try:
        return env.from_string(source)
    except jinja2.exceptions.TemplateSyntaxError as exc:
        raise TemplateError(f"chat template: line {exc.lineno}: {exc.message}") from None


def _variables(
    template: ChatTemplate,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    add_generation_prompt: bool,
) -> dict[str, Any]:
    return {
        "messages": messages,
        "tools": tools or None,
        "documents": None,
        "add_generation_prompt": add_generation_prompt,
        **template.special_tokens,
    }


def render(
    template: ChatTemplate,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    *,
    add_generation_prompt: bool = False,
) -> str:
    import jinja2

    compiled = _compile(template.for_tools(tools))
    try:
        return compiled.render(**_variables(template, messages, tools, add_generation_prompt))
    except jinja2.exceptions.TemplateError as exc:
        raise TemplateError(f"chat template: {exc}") from None


def render_with_spans(
    template: ChatTemplate, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
) -> Rendered:
    import jinja2

    source = template.for_tools(tools)
    compiled = _compile(source)
    variables = _variables(template, messages, tools, False)
    if "generation" in source and "endgeneration" in source:
        blocks: list[str] = []
        spans: list[tuple[int, int]] = []
        try:
            with compiled.environment.track_generation(blocks, spans):
                for block in compiled.generate(**variables):
                    blocks.append(block)
        except jinja2.exceptions.TemplateError as exc:
            raise TemplateError(f"chat template: {exc}") from None
        return Rendered("".join(blocks), spans, "generation")
    full = render(template, messages, tools)
    spans = []
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = render(template, messages[:index], tools, add_generation_prompt=True) if index else ""
        upto = render(template, messages[: index + 1], tools)
        if not (full.startswith(before) and full.startswith(upto) and len(upto) > len(before)):
            raise TemplateError(
                f"chat template: cannot find assistant message {index} (the template renders it "
                "differently depending on what follows; add {% generation %} blocks to it)"
            )
        end = len(upto.rstrip())
        spans.append((len(before), max(end, len(before))))
    return Rendered(full, spans, "prefix")
