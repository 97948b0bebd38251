"""Chat templates: loaded from GGUF and tokenizer configs, rendered as transformers renders them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.export.templates import SECOND_TEMPLATE, embedded_model_gguf, write_second_template
from tests.scripted import read_jsonl
from tracefabric.chat_template import ChatTemplate, TemplateError, load_chat_template, template_messages
from tracefabric.chat_template.gguf import read_gguf_metadata


@pytest.fixture(scope="module")
def qwen() -> ChatTemplate:
    return load_chat_template(embedded_model_gguf())


@pytest.mark.model  # the gguf package's reader takes 10-20 s on this file
def test_gguf_header_matches_llama_cpps_reader() -> None:
    """Our header walk reads the same values as the gguf package's full reader."""
    from gguf import GGUFReader

    path = embedded_model_gguf()
    ours = read_gguf_metadata(path, token_ids=("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"))
    reader = GGUFReader(path)
    template = reader.fields["tokenizer.chat_template"].contents()
    assert ours["tokenizer.chat_template"] == template
    assert "<tool_call>" in template  # a Qwen2.5 template
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    eos = int(reader.fields["tokenizer.ggml.eos_token_id"].contents())
    assert ours["tokenizer.ggml.eos_token_id"] == eos and ours["tokenizer.ggml.eos_token"] == tokens[eos]
    assert ours["general.architecture"] == reader.fields["general.architecture"].contents()


def test_embedded_template_writes_arguments_once(qwen: ChatTemplate, generated: dict[str, Path]) -> None:
    record = read_jsonl(generated["agent"])[0]
    text = qwen.render(template_messages(record["messages"]), record["tools"])
    assert '{"name": "read_file", "arguments": {"file_path": "config.json"}}' in text
    assert '\\"file_path\\"' not in text  # no double encoding
    # Rendering OpenAI's JSON text as is shows the bug this conversion avoids.
    raw = qwen.render(record["messages"], record["tools"])
    assert '"arguments": "{\\"file_path\\":\\"config.json\\"}"' in raw


def test_prefix_spans_cover_exactly_the_assistant_turns(
    qwen: ChatTemplate, generated: dict[str, Path]
) -> None:
    record = read_jsonl(generated["agent"])[0]
    rendered = qwen.render_with_spans(template_messages(record["messages"]), record["tools"])
    assert rendered.span_method == "prefix"
    pieces = [rendered.text[s:e] for s, e in rendered.assistant_spans]
    assert len(pieces) == 4
    assert pieces[0] == '<tool_call>\n{"name": "list_files", "arguments": {}}\n</tool_call><|im_end|>'
    assert pieces[-1] == 'Debug mode is on: config.json has "debug": true.<|im_end|>'
    outside = "".join(
        rendered.text[a:b]
        for a, b in zip(
            [0] + [e for _, e in rendered.assistant_spans],
            [s for s, _ in rendered.assistant_spans] + [len(rendered.text)],
            strict=True,
        )
    )
    assert "<tool_response>" in outside and '"arguments": {"file_path"' not in outside


def test_second_template_from_a_tokenizer_config(tmp_path: Path, generated: dict[str, Path]) -> None:
    template = load_chat_template(write_second_template(tmp_path))
    assert template.special_tokens == {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
    record = read_jsonl(generated["agent"])[0]
    rendered = template.render_with_spans(template_messages(record["messages"]), record["tools"])
    assert rendered.span_method == "generation"
    assert rendered.text.startswith(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nTools:\nread_file: "
    )
    pieces = [rendered.text[s:e] for s, e in rendered.assistant_spans]
    assert pieces[2] == (
        '{"name": "read_file", "parameters": {"file_path": "config.json"}}; '
        '{"name": "file_exists", "parameters": {"file_path": "src/app.py"}}<|eot_id|>'
    )
    assert pieces[-1].startswith("Debug mode is on")


def test_template_sources(tmp_path: Path) -> None:
    named = tmp_path / "named"
    named.mkdir()
    (named / "tokenizer_config.json").write_text(
        json.dumps(
            {"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]}
        )
    )
    template = load_chat_template(named)
    assert template.for_tools(None) == "D" and template.for_tools([{"type": "function"}]) == "T"
    separate = tmp_path / "separate"
    separate.mkdir()
    (separate / "tokenizer_config.json").write_text(json.dumps({"eos_token": "</s>"}))
    (separate / "chat_template.jinja").write_text("{{ eos_token }}")
    assert load_chat_template(separate / "tokenizer_config.json").render([]) == "</s>"
    (tmp_path / "none.json").write_text("{}")
    with pytest.raises(TemplateError, match="has no chat_template"):
        load_chat_template(tmp_path / "none.json")
    (tmp_path / "bad.gguf").write_bytes(b"NOPE" + bytes(20))
    with pytest.raises(TemplateError, match="bad magic"):
        load_chat_template(tmp_path / "bad.gguf")


def test_jinja_setup_matches_transformers() -> None:
    template = ChatTemplate.from_string(
        "{{ messages[0].content | tojson }}|{{ {'b': 1, 'a': '<>'} | tojson(sort_keys=True) }}"
        "{% for m in messages %}{% if loop.first %}{% continue %}{% endif %}{{ m.role }}{% endfor %}"
    )
    # tojson does not escape HTML (jinja's own would write \\u003c), loop controls work
    assert (
        template.render([{"role": "user", "content": "<é>"}, {"role": "assistant"}])
        == '"<é>"|{"a": "<>", "b": 1}assistant'
    )
    with pytest.raises(TemplateError, match="boom"):
        ChatTemplate.from_string("{{ raise_exception('boom') }}").render([])
    sandboxed = ChatTemplate.from_string("{{ messages.__class__.__mro__ }}")
    with pytest.raises(TemplateError):
        sandboxed.render([])
    assert "generation" in SECOND_TEMPLATE
